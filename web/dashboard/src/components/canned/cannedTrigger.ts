// Where the saved-reply picker of the inbox reply box opens: a "/" at the start of the box or
// after whitespace, followed by the characters typed so far up to the caret (no whitespace).

/** The "/word" token that ends at `caret` in `text`: its start offset and the query after the
 * slash, or null when the caret is not in such a token. "Hi /ref|" → {start: 3, query: "ref"};
 * "a/b|" → null (the slash must start the box or follow a space or line break). */
export function slashToken(text: string, caret: number): { start: number; query: string } | null {
  let i = caret;
  while (i > 0 && !/\s/.test(text[i - 1])) i -= 1;
  if (text[i] !== "/" || i >= caret) return null;
  return { start: i, query: text.slice(i + 1, caret) };
}

/** `text` with the token [start, caret) replaced by `insert`; the caret goes after it. */
export function replaceToken(text: string, start: number, caret: number, insert: string) {
  const value = text.slice(0, start) + insert + text.slice(caret);
  return { value, caret: start + insert.length };
}
