// Loads the chat page's E2EE modules (web/src/e2ee/*.ts) in Node ≥ 18 for the unit tests: every
// file is transpiled on the fly with web/node_modules/typescript (no build needed) into a
// temporary directory, removed when the test file ends. Node's WebCrypto is made global.
import { webcrypto } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

if (!globalThis.crypto) Object.defineProperty(globalThis, "crypto", { value: webcrypto });

const web = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ts = createRequire(path.join(web, "package.json"))("typescript");
const out = mkdtempSync(path.join(os.tmpdir(), "e2ee-unit-"));
after(() => rmSync(out, { recursive: true, force: true }));
for (const name of readdirSync(path.join(web, "src/e2ee"))) {
  const source = readFileSync(path.join(web, "src/e2ee", name), "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2020, target: ts.ScriptTarget.ES2020 } }).outputText;
  writeFileSync(path.join(out, name.replace(/\.ts$/, ".js")), js);
}

/** The module web/src/e2ee/<name>.ts, transpiled. */
export const load = (name) => import(pathToFileURL(path.join(out, `${name}.js`)).href);
