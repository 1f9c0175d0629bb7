-- Answer feedback (docs/api.md "Answer feedback"): a visitor's rating of one bot reply,
-- "up" (helpful) or "down" (not helpful), with an optional one-line comment (<= 500 code points,
-- checked by MessageFeedbackService). One row per message: rating again replaces it (last write
-- wins), clearing deletes it. tenant_id / bot_id / conversation_id / seq are copied from the
-- message's conversation so the per-bot list and the per-conversation replay need no join.
CREATE TABLE chat.message_feedback (
  message_id      uuid PRIMARY KEY REFERENCES chat.messages (id) ON DELETE CASCADE,
  tenant_id       uuid NOT NULL,
  bot_id          uuid NOT NULL,
  conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
  seq             bigint NOT NULL,
  rating          text NOT NULL CHECK (rating IN ('up', 'down')),
  comment         text NOT NULL DEFAULT '' CHECK (char_length(comment) <= 500),
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT message_feedback_conversation_seq UNIQUE (conversation_id, seq)
);

-- ListBotFeedback and the analytics counts: a bot's ratings in a time window, newest first.
CREATE INDEX message_feedback_bot_recent
  ON chat.message_feedback (tenant_id, bot_id, updated_at DESC);
