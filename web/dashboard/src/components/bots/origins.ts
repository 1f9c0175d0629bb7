// The bot's allowed widget sites as the owner types them, turned into the origins the API takes
// (docs/api.md "Bots", allowed_origins: http or https, host, optional port, no path; the server's
// rule is libs/common/src/web_origin.cpp). A pasted page address ("https://shop.example.com/
// contact", or the address bar's trailing "/") becomes its origin; anything that is not a web
// address is reported here, in the UI language, instead of as the server's English detail.

/** DNS host (letters, digits, '-', '.'; IDN already in punycode by URL) or an IPv6 literal. */
const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/;

/** The origin of `entry` ("https://shop.example.com" for "HTTPS://Shop.Example.com:443/a"), or null. */
export function toOrigin(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password || !HOST.test(url.hostname)) return null;
  return url.origin;
}

/**
 * The textarea's entries (split on whitespace and commas) as origins, duplicates dropped:
 * `{ origins }`, or `{ invalid }` with the first entry that is not a web address.
 */
export function parseOrigins(text: string): { origins: string[]; invalid?: string } {
  const origins: string[] = [];
  for (const entry of text.split(/[\s,]+/).map((e) => e.trim()).filter(Boolean)) {
    const origin = toOrigin(entry);
    if (!origin) return { origins, invalid: entry };
    if (!origins.includes(origin)) origins.push(origin);
  }
  return { origins };
}
