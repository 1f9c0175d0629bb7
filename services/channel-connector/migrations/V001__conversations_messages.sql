-- Conversations of visitors with bots, and their messages numbered per conversation.
CREATE TABLE chat.conversations (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL,
  bot_id       uuid NOT NULL,
  channel      text NOT NULL DEFAULT 'web',
  visitor_id   text NOT NULL DEFAULT '',
  visitor_name text NOT NULL DEFAULT '',
  -- seq of the newest message; the next message gets last_seq + 1 under a row lock.
  last_seq     bigint NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- ListConversations: a tenant's (bot's) conversations, newest activity first.
CREATE INDEX conversations_tenant_bot_activity
  ON chat.conversations (tenant_id, bot_id, updated_at DESC);

CREATE TABLE chat.messages (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
  seq             bigint NOT NULL CHECK (seq > 0),
  sender_kind     text NOT NULL CHECK (sender_kind IN ('visitor', 'bot', 'operator')),
  sender_id       text NOT NULL DEFAULT '',
  sender_name     text NOT NULL DEFAULT '',
  text            text NOT NULL,
  -- the sender's idempotency key: a repeated PostMessage returns the stored row.
  client_id       text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT messages_conversation_seq UNIQUE (conversation_id, seq),
  CONSTRAINT messages_conversation_client_id UNIQUE (conversation_id, client_id)
);
