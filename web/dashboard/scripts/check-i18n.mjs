#!/usr/bin/env node
// Checks the dashboard's catalogues (src/i18n/{en,ru,uz}.json), exit 1 with a list of problems:
//  - the three catalogues have exactly the same keys, every value a non-empty string;
//  - each translation uses the same {{placeholders}} as the English one;
//  - every key the code names literally (t("a.b"), i18nKey / key: "a.b", `errors.${…}` families)
//    exists, and there is a message for every error code of docs/api.md's error table;
//  - Russian strings are in Cyrillic and Uzbek strings are not left in English (except names).
// Run by CTest (web_dashboard_i18n) and by tests/e2e/dashboard.test.mjs.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "..");
const repo = path.resolve(app, "../..");
const LANGS = ["en", "ru", "uz"];
const problems = [];

function flatten(obj, prefix = "", out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

const catalogues = Object.fromEntries(LANGS.map((l) => [
  l, flatten(JSON.parse(readFileSync(path.join(app, "src/i18n", `${l}.json`), "utf8"))),
]));
const en = catalogues.en;

const placeholders = (s) => [...String(s).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort().join(",");
for (const l of LANGS) {
  for (const [key, value] of catalogues[l]) {
    if (typeof value !== "string" || value.trim() === "") problems.push(`${l}: ${key} is empty or not a string`);
    if (!en.has(key)) problems.push(`${l}: ${key} is not in en.json`);
  }
  for (const key of en.keys()) {
    if (!catalogues[l].has(key)) problems.push(`${l}: missing key ${key}`);
    else if (placeholders(catalogues[l].get(key)) !== placeholders(en.get(key))) {
      problems.push(`${l}: ${key} has placeholders {${placeholders(catalogues[l].get(key))}}, en has {${placeholders(en.get(key))}}`);
    }
  }
}

// Names that read the same in every language.
const SAME_EVERYWHERE = new Set([
  "providers.openai", "providers.gemini", "formats.markdown", "formats.html", "formats.pdf",
]);
const SAME_IN_UZ = new Set(["team.roles.operator", "plans.pro", "units.b", "units.kb", "units.mb", "units.gb", "bots.model", "knowledge.format"]);
for (const [key, value] of catalogues.ru) {
  if (SAME_EVERYWHERE.has(key)) continue;
  if (/[A-Za-z]/.test(value) && !/[А-Яа-яЁё]/.test(value)) problems.push(`ru: ${key} is not in Russian: "${value}"`);
}
for (const [key, value] of catalogues.uz) {
  if (SAME_EVERYWHERE.has(key) || SAME_IN_UZ.has(key)) continue;
  if (value === en.get(key)) problems.push(`uz: ${key} is the English text: "${value}"`);
  if (/[А-Яа-яЁё]/.test(value)) problems.push(`uz: ${key} must be in Latin script: "${value}"`);
}

// Keys named in the code.
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.(tsx?|mjs)$/.test(name) ? [p] : [];
  });
}
const used = new Set();
const families = new Set();
for (const file of sources(path.join(app, "src"))) {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/\bt\(\s*["'`]([a-zA-Z0-9_.]+)["'`]/g)) used.add(m[1]);
  for (const m of text.matchAll(/\b(?:key|labelKey):\s*["']([a-zA-Z0-9_.]+)["']/g)) used.add(m[1]);
  for (const m of text.matchAll(/["'`]((?:units|nav|usage)\.[a-zA-Z0-9_]+)["'`]/g)) used.add(m[1]);
  for (const m of text.matchAll(/`([a-zA-Z0-9_.]+)\.\$\{/g)) families.add(m[1]);
  for (const m of text.matchAll(/\?\s*["']([a-z]+\.[a-zA-Z0-9_]+)["']\s*:\s*["']([a-z]+\.[a-zA-Z0-9_]+)["']/g)) {
    used.add(m[1]);
    used.add(m[2]);
  }
}
for (const key of used) if (!en.has(key)) problems.push(`code uses t("${key}"), which en.json lacks`);
const FAMILY_MEMBERS = {
  languages: ["en", "ru", "uz"],
  providers: ["extractive", "openai", "gemini"],
  formats: ["text", "markdown", "html", "pdf"],
  "plan.status": ["trialing", "active", "expired"],
  plans: ["trial", "starter", "pro", "business"],
  "channels.howTo": ["telegram", "whatsapp", "instagram"],
  "channels.metaSteps": ["whatsapp", "instagram"],
  "channels.field": ["token", "phone_number_id", "instagram_account_id", "access_token", "app_secret", "verify_token"],
  "channels.fieldHint": ["token", "phone_number_id", "instagram_account_id", "access_token", "app_secret", "verify_token"],
  "channels.modes": ["polling", "webhook"],
  "channels.modeHint": ["polling", "webhook"],
  "channels.state": ["connected", "error", "inactive", "unknown"],
  "team.roles": ["owner", "admin", "operator"],
  "channels.errors": ["validation_failed", "invalid_credentials", "provider_unreachable", "conflict", "quota_exceeded", "unavailable", "not_found"],
  // hooks: pages/WebhooksPage.tsx
  "webhooks.invalid.url": ["required", "tooLong", "scheme"],
  "webhooks.eventHelp": ["message_created", "conversation_created", "handoff_requested"],
  "webhooks.statuses": ["pending", "delivered", "failed"],
};
for (const family of families) {
  if (family.startsWith("errors")) continue; // checked against docs/api.md below
  const members = FAMILY_MEMBERS[family];
  if (!members) problems.push(`code builds keys under "${family}.": list its members in FAMILY_MEMBERS`);
  else for (const m of members) if (!en.has(`${family}.${m}`)) problems.push(`missing key ${family}.${m}`);
}

// One message per error code the API documents, plus the dashboard's own ones.
const apiDoc = readFileSync(path.join(repo, "docs/api.md"), "utf8");
const codes = new Set([...apiDoc.matchAll(/^\|\s*\d{3}\s*\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]));
if (codes.size < 10) problems.push(`found only ${codes.size} error codes in docs/api.md`);
for (const code of [...codes, "network", "session_expired", "aborted", "unknown"]) {
  if (!en.has(`errors.${code}`)) problems.push(`no message for error code "${code}" (errors.${code})`);
}

if (problems.length) {
  console.error(`i18n check failed (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`i18n check: ${en.size} keys in ${LANGS.join(", ")}; ${used.size} used literally; ${codes.size} API error codes covered`);
