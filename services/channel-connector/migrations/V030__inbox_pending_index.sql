-- The inbox claim looks for pending rows only; channel_inbox_open also holds the posted rows
-- (kept until their reply is confirmed, CHANNEL_REPLY_RECOVERY_MS), which the claim had to skip
-- one by one under load (docs/benchmarks.md, "Telegram channel").
CREATE INDEX channel_inbox_pending ON chat.channel_inbox (id) WHERE state = 'pending';
