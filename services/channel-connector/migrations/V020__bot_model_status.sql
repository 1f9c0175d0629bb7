-- The last model outcome of each bot's replies (issue 7, "a clear state to the tenant"): when
-- ai-proxy last answered without the bot's configured provider (FinalReply.fallback_reason, or
-- a failed Generate) and when the configured provider last answered. One row per bot, upserted
-- by the bot pipeline after each model reply; read by GetBotModelStatus.
CREATE TABLE chat.bot_model_status (
  bot_id               uuid PRIMARY KEY,
  tenant_id            uuid NOT NULL,
  last_fallback_reason text NOT NULL DEFAULT '',
  last_fallback_at     timestamptz,
  last_model_reply_at  timestamptz,
  -- the failed Generate's message (bounded), NULL after a fallback answered without an error
  last_error_message   text
);
