// Canned responses (saved replies; docs/api.md "Canned responses"): short texts operators insert
// into an inbox reply by typing "/" and a short code. The rules here mirror the server's
// (channel-connector canned/canned_responses.cpp) so the form can say what is wrong before a
// request; the server decides.

import { api } from "./client";
import { loadSession } from "./session";

export interface CannedResponse {
  id: string;
  short_code: string;
  content: string;
  created_at: string;
  updated_at: string;
}

export interface CannedList { canned_responses: CannedResponse[]; total: number; max: number }

export const SHORT_CODE_MAX = 32;
export const CONTENT_MAX = 2000;
const SHORT_CODE = /^[a-z0-9_-]{1,32}$/;
// Control characters other than "\n" (the server refuses them: tab and CR included).
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;  // eslint-disable-line no-control-regex

/** GET /canned-responses?q=: the tenant's saved replies (short-code prefix matches first). */
export const listCanned = (q = "") =>
  api<CannedList>("GET", q ? `/canned-responses?q=${encodeURIComponent(q)}` : "/canned-responses");
export const createCanned = (short_code: string, content: string) =>
  api<CannedResponse>("POST", "/canned-responses", { short_code, content });
export const updateCanned = (id: string, fields: { short_code?: string; content?: string }) =>
  api<CannedResponse>("PATCH", `/canned-responses/${encodeURIComponent(id)}`, fields);
export const deleteCanned = (id: string) => api<void>("DELETE", `/canned-responses/${encodeURIComponent(id)}`);

/** The short code as the server stores it: ASCII letters lower-cased, a leading "/" dropped. */
export const foldShortCode = (code: string) => code.trim().replace(/^\//, "").toLowerCase();

/** Which rule `code` (already folded) breaks: "" when none. */
export function shortCodeProblem(code: string): "" | "required" | "tooLong" | "chars" {
  if (!code) return "required";
  if (code.length > SHORT_CODE_MAX) return "tooLong";
  return SHORT_CODE.test(code) ? "" : "chars";
}

/** Which rule `content` breaks: "" when none. Length in code points, as the server counts. */
export function contentProblem(content: string): "" | "required" | "tooLong" | "control" {
  if (!content.trim()) return "required";
  if ([...content].length > CONTENT_MAX) return "tooLong";
  return CONTROL.test(content) ? "control" : "";
}

/** `items` matching `query` (case-insensitive; a leading "/" ignored), as the server's `q`:
 * short-code prefix matches first, then content matches; each group keeps the given order. */
export function filterCanned(items: CannedResponse[], query: string): CannedResponse[] {
  const q = query.trim().toLowerCase().replace(/^\//, "");
  if (!q) return items;
  const byCode = items.filter((c) => c.short_code.startsWith(q));
  const byContent = items.filter((c) => !c.short_code.startsWith(q) && c.content.toLowerCase().includes(q));
  return [...byCode, ...byContent];
}

/** The content with its placeholders filled: {{visitor.name}} and {{bot.name}} (spaces inside
 * the braces allowed). Unknown placeholders, and known ones without a value, stay as written. */
export function fillPlaceholders(content: string, values: { visitorName?: string; botName?: string }): string {
  return content.replace(/\{\{\s*(visitor\.name|bot\.name)\s*\}\}/g, (whole, key: string) => {
    const value = key === "visitor.name" ? values.visitorName : values.botName;
    return value ? value : whole;
  });
}

/** The team role of the signed-in user from the access token's "role" claim (a token without
 * one is the owner's, as the gateway reads it). Only for showing controls: the server enforces. */
export function sessionRole(): string {
  const token = loadSession()?.access ?? "";
  try {
    const payload = token.split(".")[1] ?? "";
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { role?: unknown };
    return typeof json.role === "string" && json.role ? json.role : "owner";
  } catch {
    return "operator";
  }
}

/** Whether the signed-in user may create, edit and delete saved replies (admin or owner). */
export const canEditCanned = () => ["owner", "admin"].includes(sessionRole());
