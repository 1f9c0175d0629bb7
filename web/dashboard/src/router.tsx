// A small History-API router for the dashboard's few routes under /app (the gateway serves
// index.html for any /app/<route>, see services/gateway/src/http/static_files.cpp).

import { useSyncExternalStore, type MouseEvent, type ReactNode } from "react";

export const BASE = "/app";
const EVENT = "botfactory:navigate";

function subscribe(callback: () => void): () => void {
  window.addEventListener("popstate", callback);
  window.addEventListener(EVENT, callback);
  return () => {
    window.removeEventListener("popstate", callback);
    window.removeEventListener(EVENT, callback);
  };
}

function currentPath(): string {
  const p = window.location.pathname;
  const rest = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return rest === "" ? "/" : rest.replace(/\/+$/, "") || "/";
}

/** The route below /app, e.g. "/bots/3f0c…/knowledge" ("/" for the root). */
export function useRoute(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** Goes to `to` (a route below /app) without reloading. */
export function navigate(to: string, replace = false): void {
  const url = BASE + to;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  window.dispatchEvent(new Event(EVENT));
  if (!replace) window.scrollTo(0, 0);
}

/** Matches `path` against `pattern` ("/bots/:id/knowledge"); returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split("/");
  const b = path.split("/");
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i += 1) {
    if (a[i].startsWith(":")) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}

/** An <a> that navigates in place (a real href, so middle-click and keyboard work). */
export function Link(props: { to: string; className?: string; children: ReactNode; current?: boolean }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={BASE + props.to} className={props.className} onClick={onClick}
      aria-current={props.current ? "page" : undefined}>
      {props.children}
    </a>
  );
}
