-- Outgoing webhooks (docs/api.md "Outgoing webhooks"): a tenant's endpoints and the log of
-- deliveries to them. A delivery row is queued after the event's own commit (at-least-once);
-- WebhookDispatcher claims due rows with FOR UPDATE SKIP LOCKED (safe across replicas).
-- The per-tenant bound (WEBHOOK_ENDPOINTS_MAX) is checked under an advisory lock on insert.
CREATE TABLE chat.webhook_endpoints (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL,
  url        text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
  events     text[] NOT NULL CHECK (cardinality(events) >= 1),
  -- The HMAC-SHA256 signing key ("whsec_" + random); returned only by create and rotate.
  secret     text NOT NULL,
  enabled    boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant ON chat.webhook_endpoints (tenant_id);

CREATE TABLE chat.webhook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  endpoint_id      uuid NOT NULL REFERENCES chat.webhook_endpoints (id) ON DELETE CASCADE,
  tenant_id        uuid NOT NULL,
  event            text NOT NULL,
  payload          text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz
);
-- The dispatcher's claim: due pending rows, oldest due first.
CREATE INDEX webhook_deliveries_due ON chat.webhook_deliveries (next_attempt_at)
  WHERE status = 'pending';
-- The per-endpoint log (newest first) and the per-endpoint pending cap.
CREATE INDEX webhook_deliveries_endpoint ON chat.webhook_deliveries (endpoint_id, created_at DESC);
-- The retention sweep of finished rows.
CREATE INDEX webhook_deliveries_finished ON chat.webhook_deliveries (created_at)
  WHERE status <> 'pending';
