-- Edit and delete events in a conversation's seq stream: each takes the conversation's next seq
-- (chat.conversations.last_seq, under the same row lock as messages), so seq numbers messages
-- and events together without gaps, and a client resuming by since_seq gets them in order.
CREATE TABLE chat.message_events (
  conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
  seq             bigint NOT NULL CHECK (seq > 0),
  kind            text NOT NULL CHECK (kind IN ('edited', 'deleted')),
  target_seq      bigint NOT NULL CHECK (target_seq > 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, seq)
);
