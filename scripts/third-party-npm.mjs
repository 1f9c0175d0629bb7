#!/usr/bin/env node
// Prints the npm packages that end up in the dashboard's build (web/dashboard/package-lock.json:
// every package not marked "dev"), with version and licence, as the Markdown table of
// docs/third-party.md. `--check` exits 1 when docs/third-party.md's table differs (run by
// the web_third_party CTest), so a new dependency cannot ship without its line.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const lock = JSON.parse(readFileSync(path.join(repo, "web/dashboard/package-lock.json"), "utf8"));
const rows = Object.entries(lock.packages ?? {})
  .filter(([key, p]) => key.startsWith("node_modules/") && !p.dev)
  .map(([key, p]) => `| ${key.slice("node_modules/".length)} | ${p.version} | ${p.license ?? "see package"} |`)
  .sort();
const table = ["| package | version | licence |", "|---|---|---|", ...rows].join("\n");

if (process.argv.includes("--check")) {
  const doc = readFileSync(path.join(repo, "docs/third-party.md"), "utf8");
  if (!doc.includes(table)) {
    console.error("docs/third-party.md: the npm table is out of date; regenerate it with\n" +
      "  node scripts/third-party-npm.mjs\nand paste the output between the npm markers.\n\n" + table);
    process.exit(1);
  }
  console.log(`third-party check: ${rows.length} npm packages listed`);
} else {
  console.log(table);
}
