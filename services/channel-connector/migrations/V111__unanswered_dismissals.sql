-- Unanswered questions a tenant marked resolved, per bot and normalized question key
-- (UnansweredQuestions::key_of). An asking at or before dismissed_at is hidden; one after it
-- shows the question again. Dismissing again moves dismissed_at forward.
CREATE TABLE chat.unanswered_dismissals (
  tenant_id    uuid NOT NULL,
  bot_id       uuid NOT NULL,
  question_key text NOT NULL,
  dismissed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, bot_id, question_key)
);
