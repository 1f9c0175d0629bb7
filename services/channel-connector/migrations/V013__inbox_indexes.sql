-- The tenant-wide inbox (ListConversations without a bot, docs/api.md "GET /api/v1/conversations"):
-- newest activity first with (updated_at, id) as the keyset, so every page is one index range
-- scan. The bot index gains id for the same keyset; waiting conversations get a partial index
-- (few rows, asked for often).
CREATE INDEX conversations_tenant_activity
  ON chat.conversations (tenant_id, updated_at DESC, id DESC);
CREATE INDEX conversations_tenant_waiting
  ON chat.conversations (tenant_id, updated_at DESC, id DESC) WHERE waiting_for_human;
DROP INDEX chat.conversations_tenant_bot_activity;
CREATE INDEX conversations_tenant_bot_activity
  ON chat.conversations (tenant_id, bot_id, updated_at DESC, id DESC);
