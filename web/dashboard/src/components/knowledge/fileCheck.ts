// What the knowledge upload can take, checked in the browser before any byte is sent: a file
// dropped on the page bypasses the file picker's `accept`, and the server's refusal detail is
// English (docs/api.md "POST /api/v1/bots/{id}/knowledge": .txt, .md, .markdown, .html, .htm, .pdf).

/** The file name endings the API parses (and the picker offers). */
export const KNOWLEDGE_EXTENSIONS = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf"];

/** Why `file` cannot be a knowledge document ("unsupported" type, "empty"), or null when it can. */
export function knowledgeFileProblem(file: { name: string; size: number }): "unsupported" | "empty" | null {
  const name = file.name.toLowerCase();
  if (!KNOWLEDGE_EXTENSIONS.some((ext) => name.endsWith(ext))) return "unsupported";
  if (file.size === 0) return "empty";
  return null;
}
