-- Language-model token metering (issue 7): a monthly token allowance per plan, the tokens of
-- every reply per tenant, bot and UTC day, and the reply ids already recorded (idempotency).

-- Allowance = the plan's reply count x 2,000 tokens, the size of a typical knowledge-base reply
-- (about 1,500 prompt tokens of instructions, retrieved passages and history + 500 completion
-- tokens). The period's tokens live in `usage` under resource 'model_tokens'.
ALTER TABLE plans ADD COLUMN max_tokens_per_month bigint NOT NULL DEFAULT 0
  CHECK (max_tokens_per_month >= 0);
UPDATE plans SET max_tokens_per_month = CASE code
  WHEN 'trial'    THEN     200000
  WHEN 'starter'  THEN    4000000
  WHEN 'pro'      THEN   20000000
  WHEN 'business' THEN  200000000
  ELSE max_replies_per_month * 2000 END;

-- One row per tenant, bot and UTC day; kept across billing periods (the usage chart).
-- bot_id comes from bot-registry (no cross-schema foreign key).
CREATE TABLE token_usage_daily (
  tenant_id         uuid NOT NULL REFERENCES subscriptions (tenant_id) ON DELETE CASCADE,
  bot_id            uuid NOT NULL,
  day               date NOT NULL,
  replies           bigint NOT NULL CHECK (replies >= 0),
  prompt_tokens     bigint NOT NULL CHECK (prompt_tokens >= 0),
  completion_tokens bigint NOT NULL CHECK (completion_tokens >= 0),
  PRIMARY KEY (tenant_id, day, bot_id)
);

-- The replies already recorded, so a retried RecordTokenUsage adds nothing. Rows older than the
-- retention (SubscriptionManager, 7 days) are pruned in small batches: a retry comes within
-- seconds, never days later.
CREATE TABLE recorded_replies (
  tenant_id         uuid NOT NULL REFERENCES subscriptions (tenant_id) ON DELETE CASCADE,
  reply_id          text NOT NULL CHECK (char_length(reply_id) BETWEEN 1 AND 100),
  bot_id            uuid NOT NULL,
  provider          text NOT NULL,
  model             text NOT NULL,
  prompt_tokens     bigint NOT NULL CHECK (prompt_tokens >= 0),
  completion_tokens bigint NOT NULL CHECK (completion_tokens >= 0),
  recorded_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, reply_id)
);
CREATE INDEX recorded_replies_recorded_at ON recorded_replies (recorded_at);
