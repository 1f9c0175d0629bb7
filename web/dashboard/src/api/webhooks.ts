// Outgoing webhooks (docs/api.md "Outgoing webhooks"): the tenant's endpoints, told about
// message.created, conversation.created and handoff.requested with signed, retried deliveries.
// Admins and the owner only (the server answers 403 to operators).

import { api } from "./client";
import { sessionRole } from "./canned";

export const WEBHOOK_EVENTS = ["message.created", "conversation.created", "handoff.requested"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const URL_MAX = 2048;

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  created_at: string;
  updated_at: string;
}
export interface CreatedWebhookEndpoint extends WebhookEndpoint { secret: string }
export interface WebhookEndpointList { webhook_endpoints: WebhookEndpoint[]; max: number }
export interface WebhookDelivery {
  id: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status_code: number;
  last_error: string;
  created_at: string;
  next_attempt_at?: string;
  delivered_at?: string;
}

const path = (id: string) => `/webhook-endpoints/${encodeURIComponent(id)}`;
export const listWebhookEndpoints = () => api<WebhookEndpointList>("GET", "/webhook-endpoints");
export const createWebhookEndpoint = (url: string, events: string[]) =>
  api<CreatedWebhookEndpoint>("POST", "/webhook-endpoints", { url, events });
export const updateWebhookEndpoint = (id: string, fields: { url?: string; events?: string[]; enabled?: boolean }) =>
  api<WebhookEndpoint>("PATCH", path(id), fields);
export const deleteWebhookEndpoint = (id: string) => api<void>("DELETE", path(id));
export const listWebhookDeliveries = (id: string, limit = 20) =>
  api<{ deliveries: WebhookDelivery[] }>("GET", `${path(id)}/deliveries?limit=${limit}`);
export const sendWebhookTest = (id: string) => api<{ delivery_id: string }>("POST", `${path(id)}/test`);

/** Whether the signed-in user may manage webhooks (admin or owner). */
export const canManageWebhooks = () => ["owner", "admin"].includes(sessionRole());

/** Which rule `url` breaks before a request ("" = none; the server decides the rest). */
export function urlProblem(url: string): "" | "required" | "tooLong" | "scheme" {
  const u = url.trim();
  if (!u) return "required";
  if (new TextEncoder().encode(u).length > URL_MAX) return "tooLong";
  return /^https?:\/\/[^\s]+$/i.test(u) ? "" : "scheme";
}
