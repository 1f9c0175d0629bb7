-- How far each operator (a tenant's user) has read a conversation: the inbox's unread counts
-- (docs/api.md, "POST /api/v1/conversations/{id}/read"). read_seq only grows.
CREATE TABLE chat.conversation_reads (
  conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
  user_id         text NOT NULL,
  read_seq        bigint NOT NULL CHECK (read_seq >= 0),
  read_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, user_id)
);
