// Loads the npm packages of the deploy checks from tests/e2e/node_modules (pinned in
// tests/e2e/package.json: `yaml`, `kubernetes-models`). BOTFACTORY_E2E_DIR overrides the
// directory whose node_modules is used.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..");
const e2eDir = resolve(process.env.BOTFACTORY_E2E_DIR || join(repoRoot, "tests", "e2e"));
const require = createRequire(join(e2eDir, "package.json"));

/** Exits with a clear message when a package is missing (setup has not run). */
function missing(name, error) {
  console.error(`FAIL: npm package '${name}' not found from ${e2eDir} (${error.message.split("\n")[0]}).`);
  console.error("      It belongs in tests/e2e/package.json; run scripts/setup.sh (npm ci in tests/e2e).");
  process.exit(1);
}

/** The `yaml` package (eemeli/yaml v2). */
export function loadYaml() {
  try {
    return require("yaml");
  } catch (error) {
    return missing("yaml", error);
  }
}

/**
 * The kubernetes-models class for `apiVersion`/`kind` (e.g. "apps/v1", "Deployment"), or null
 * when the package has no model for it. Works with kubernetes-models 4 (CommonJS) and 5 (ESM).
 */
export async function loadK8sModel(apiVersion, kind) {
  let packageDir;
  try {
    packageDir = dirname(require.resolve("kubernetes-models/package.json"));
  } catch (error) {
    return missing("kubernetes-models", error);
  }
  const sub = `${apiVersion}/${kind}`;  // "v1/Service", "apps/v1/Deployment"
  for (const file of [`${sub}.js`, `${sub}.mjs`]) {
    const path = join(packageDir, file);
    if (!existsSync(path)) continue;
    const module = await import(pathToFileURL(path).href);
    const model = module[kind] ?? module.default?.[kind];
    if (model) return model;
  }
  return null;
}
