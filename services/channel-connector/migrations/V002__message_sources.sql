-- The knowledge-base passages a bot reply cites (chat.v1 Message.sources), in citation order:
-- [{"document_id":"…","document_title":"…","chunk_id":"…"}, …]. NULL for every other message.
-- At most 10 entries (channel-connector's message_sources.hpp bounds them before storing).
ALTER TABLE chat.messages ADD COLUMN sources jsonb
  CONSTRAINT messages_sources_bounded CHECK (
    sources IS NULL OR
    CASE WHEN jsonb_typeof(sources) = 'array'
         THEN jsonb_array_length(sources) BETWEEN 1 AND 10
         ELSE false END);
