// widget.js: `<script src="https://<gateway>/widget.js" data-bot="<public id>" async></script>`
// puts a BotFactory chat bubble on any web page (docs/widget.md). The gateway's origin comes from
// the script's own src, so the same file works behind any host name; everything it draws lives in
// a shadow root, out of reach of the page's CSS.

import { WidgetClient } from "../src/widget-client.js";
import { Store } from "../src/widget-store.js";
import { WidgetView } from "./view.js";

/** The script tag that loaded us (currentScript is null after the first run, so look it up too). */
function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.bot) return current;
  return document.querySelector<HTMLScriptElement>('script[data-bot][src*="widget.js"]');
}

function mount(script: HTMLScriptElement): void {
  const publicId = script.dataset.bot ?? "";
  const gateway = new URL(script.src, location.href).origin;
  const hostId = `botfactory-widget-${publicId}`;
  if (!publicId || document.getElementById(hostId)) return;
  const host = document.createElement("div");
  host.id = hostId;
  host.dataset.botfactoryWidget = publicId;
  document.body.append(host);
  const view = new WidgetView(host, { lang: script.dataset.lang || undefined, position: script.dataset.position, gateway });
  const client = new WidgetClient(gateway, publicId, new Store(`botfactory.widget.${gateway}.${publicId}`), view.events);
  view.attach(client);
  if (script.dataset.open === "true") view.open(false);
}

const script = ownScript();
if (!script) {
  console.warn("BotFactory widget: no <script data-bot=\"…\"> found");
} else if (document.body) {
  mount(script);
} else {
  document.addEventListener("DOMContentLoaded", () => mount(script), { once: true });
}
