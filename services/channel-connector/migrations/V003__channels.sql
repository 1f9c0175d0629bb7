-- Channel bindings (Telegram; WhatsApp and Instagram later), their durable inbox and outbox, and
-- channel conversations (one per channel and external chat). docs/channels.md.
CREATE TABLE chat.channels (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL,
  bot_id          uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('telegram', 'whatsapp', 'instagram')),
  mode            text NOT NULL CHECK (mode IN ('polling', 'webhook')),
  -- Telegram: the bot's user id (the token's prefix); one binding per external account.
  external_id     text NOT NULL,
  display_name    text NOT NULL DEFAULT '',
  -- The credentials as a JSON object ({"token":…,"webhook_secret":…}) sealed with libsodium
  -- secretbox under CHANNEL_CREDENTIALS_SECRET; reads show credentials_last_four only.
  credentials_nonce      bytea NOT NULL,
  credentials_ciphertext bytea NOT NULL,
  credentials_last_four  text NOT NULL,
  state           text NOT NULL DEFAULT 'connected' CHECK (state IN ('connected', 'error')),
  state_error     text NOT NULL DEFAULT '',
  -- Long polling: the next getUpdates offset, and which replica polls until when.
  poll_offset     bigint NOT NULL DEFAULT 0,
  poll_owner      text,
  poll_lease_until timestamptz,
  last_inbound_at timestamptz,
  last_delivery_error    text NOT NULL DEFAULT '',
  last_delivery_error_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channels_kind_external UNIQUE (kind, external_id)
);
CREATE INDEX channels_tenant_bot ON chat.channels (tenant_id, bot_id, created_at);

-- A channel conversation: its channel and the external chat id; inactive once the customer
-- blocked the bot (Telegram 403), which stops deliveries to it.
ALTER TABLE chat.conversations
  ADD COLUMN channel_id uuid REFERENCES chat.channels (id) ON DELETE SET NULL,
  ADD COLUMN external_chat_id text,
  ADD COLUMN chat_inactive boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX conversations_channel_chat
  ON chat.conversations (channel_id, external_chat_id) WHERE channel_id IS NOT NULL;

-- Inbound updates, stored before they are acknowledged: unique per channel and external id, so
-- a repeated delivery is one row. pending → posted (the visitor message is committed) → done.
CREATE TABLE chat.channel_inbox (
  id           bigserial PRIMARY KEY,
  channel_id   uuid NOT NULL REFERENCES chat.channels (id) ON DELETE CASCADE,
  external_id  text NOT NULL,
  payload      text NOT NULL,
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'posted', 'done', 'failed')),
  message_id   uuid,
  attempts     integer NOT NULL DEFAULT 0,
  lease_until  timestamptz,
  last_error   text NOT NULL DEFAULT '',
  received_at  timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channel_inbox_channel_external UNIQUE (channel_id, external_id)
);
CREATE INDEX channel_inbox_open ON chat.channel_inbox (id) WHERE state IN ('pending', 'posted');

-- Outbound messages: one row per bot or operator message of a channel conversation, inserted in
-- the transaction that commits the message. Delivered per conversation in id order.
CREATE TABLE chat.channel_outbox (
  id              bigserial PRIMARY KEY,
  channel_id      uuid NOT NULL REFERENCES chat.channels (id) ON DELETE CASCADE,
  conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
  message_id      uuid NOT NULL REFERENCES chat.messages (id) ON DELETE CASCADE,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  -- Parts of a split message already accepted by the far side (a retry resumes after them).
  parts_sent      integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,
  last_error      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  CONSTRAINT channel_outbox_message UNIQUE (message_id)
);
CREATE INDEX channel_outbox_open ON chat.channel_outbox (conversation_id, id) WHERE state = 'pending';
