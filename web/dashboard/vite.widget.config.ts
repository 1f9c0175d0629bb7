// Vite (library mode) build of the embeddable widget: web/widget/main.ts and the modules it shares
// with the chat page (web/src) bundled into one classic script, web/dist/widget.js, served by
// the gateway at /widget.js (docs/widget.md). An IIFE, not a module: document.currentScript
// (how the widget finds its gateway and data-bot) exists only for classic scripts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const widget = fileURLToPath(new URL("../widget/", import.meta.url));

export default defineConfig({
  publicDir: false,
  build: {
    outDir: "../dist",
    emptyOutDir: false,
    target: "es2020",
    sourcemap: true,
    minify: "esbuild",
    lib: {
      entry: `${widget}main.ts`,
      name: "BotFactoryWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
