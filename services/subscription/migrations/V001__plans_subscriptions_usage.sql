-- Plan catalog (seeded here), one subscription per tenant, metered usage per billing period.
CREATE TABLE plans (
  code                  text PRIMARY KEY,
  name                  text NOT NULL,
  price_cents           bigint NOT NULL CHECK (price_cents >= 0),
  currency              text NOT NULL,
  trial_days            integer NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
  max_bots              integer NOT NULL,
  max_replies_per_month bigint NOT NULL,
  max_knowledge_bytes   bigint NOT NULL,
  max_channels          integer NOT NULL,
  sort_order            integer NOT NULL
);

INSERT INTO plans (code, name, price_cents, currency, trial_days, max_bots, max_replies_per_month,
                   max_knowledge_bytes, max_channels, sort_order) VALUES
  ('trial',    'Free trial',     0, 'USD', 14,  1,    100,   1048576,  1, 0),
  ('starter',  'Starter',     1900, 'USD',  0,  3,   2000,  10485760,  2, 1),
  ('pro',      'Pro',         4900, 'USD',  0, 10,  10000,  52428800,  4, 2),
  ('business', 'Business',   14900, 'USD',  0, 50, 100000, 524288000, 10, 3);

-- tenant_id comes from auth (no cross-schema foreign key: each service owns its schema).
-- billing_anchor: start of the first paid period; period k runs from anchor + k months, so
-- periods anchored on the 31st do not drift to the 28th after February.
CREATE TABLE subscriptions (
  tenant_id            uuid PRIMARY KEY,
  plan_code            text NOT NULL REFERENCES plans (code),
  status               text NOT NULL CHECK (status IN ('trialing', 'active', 'expired')),
  billing_anchor       timestamptz NOT NULL,
  current_period_start timestamptz NOT NULL,
  current_period_end   timestamptz NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Keyed by period_start, so a new period starts at 0 without resetting anything.
CREATE TABLE usage (
  tenant_id    uuid NOT NULL REFERENCES subscriptions (tenant_id) ON DELETE CASCADE,
  period_start timestamptz NOT NULL,
  resource     text NOT NULL,
  used         bigint NOT NULL CHECK (used >= 0),
  PRIMARY KEY (tenant_id, period_start, resource)
);
