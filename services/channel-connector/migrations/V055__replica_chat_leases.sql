-- Several channel-connector replicas (docs/architecture.md "Scale-out"). An inbound update's chat
-- (Telegram chat id, WhatsApp/Instagram sender; '#<external id>' when it has none) is stored with
-- it, and a chat's rows are claimed one at a time, oldest first: a chat's open rows (pending, or
-- posted and waiting for the bot's reply) are worked on by one replica at a time, in order
-- (channel_repository.cpp, kClaimInbox). lease_owner names the replica whose heartbeat renews
-- a row's lease while it works on it, on the inbox and on the outbox.
ALTER TABLE chat.channel_inbox
  ADD COLUMN chat_key text NOT NULL DEFAULT '',
  ADD COLUMN lease_owner text;
-- Rows stored before: each its own chat (their order across chats was never promised).
UPDATE chat.channel_inbox SET chat_key = '#' || id WHERE state IN ('pending', 'posted');
CREATE INDEX channel_inbox_chat_open ON chat.channel_inbox (channel_id, chat_key, id)
  WHERE state IN ('pending', 'posted');
ALTER TABLE chat.channel_outbox ADD COLUMN lease_owner text;
