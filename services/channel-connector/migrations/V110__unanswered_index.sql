-- Unanswered questions (docs/api.md "Unanswered questions"): the bot replies that said "I don't
-- know" (answered = false) are few next to all messages; a partial index finds those of one
-- conversation in a time window without reading the conversation's other messages.
-- ListUnansweredQuestions walks the bot's conversations active in the window
-- (conversations_tenant_bot_activity) and probes this index for each.
CREATE INDEX messages_unanswered
  ON chat.messages (conversation_id, created_at) WHERE answered = false;
