// Vite build of the dashboard: served by the gateway at /app/ (same origin as /api/v1), written
// to ../dist/app next to the chat page's files (web/dist = the gateway's WEB_ROOT).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: {
    outDir: "../dist/app",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2020",
  },
  server: {
    // `npm run dev` against a gateway started by `make run` (API and WebSocket on :8080).
    proxy: { "/api": "http://127.0.0.1:8080", "/ws": { target: "ws://127.0.0.1:8080", ws: true } },
  },
});
