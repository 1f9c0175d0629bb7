// Copies the static files of public/ next to the compiled TypeScript in dist/.
import { cpSync, mkdirSync } from "node:fs";
mkdirSync("dist", { recursive: true });
cpSync("public", "dist", { recursive: true });
