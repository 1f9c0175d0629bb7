-- Canned responses (saved replies) of a tenant's operators: a short code unique per tenant
-- (stored case-folded, CannedResponses::fold_short_code) and the text inserted into a reply.
-- The per-tenant bound (CANNED_RESPONSES_MAX) is checked under an advisory lock on insert.
CREATE TABLE chat.canned_responses (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL,
  short_code text NOT NULL CHECK (short_code ~ '^[a-z0-9_-]{1,32}$'),
  content    text NOT NULL CHECK (length(content) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT canned_responses_tenant_code UNIQUE (tenant_id, short_code)
);
