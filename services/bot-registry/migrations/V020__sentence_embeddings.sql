-- Sentence embeddings for the English search re-rank (docs/architecture.md "Sentence-encoder
-- re-rank"): one per chunk (its text) and one per document (its title), computed after ingest
-- by bot-registry's embedding backfill worker (embedding_backfill.hpp), so AddDocument stays
-- fast and a document is searchable lexically at once.
--
-- Value layout (bytea): byte 0 = format (1: USE-lite 512-d int8), then for a vector
-- f32 scale (little-endian) + 512 × int8 (value = int8 × scale); a title with no letter or digit
-- is stored as the format byte alone ("no title"). NULL = not embedded yet. A model change bumps
-- the format: the worker sets every value of another format back to NULL at start.
--
-- Chunk embeddings live in their own table, not in registry.chunks: an UPDATE of registry.chunks
-- bumps the bot's knowledge_version (V008's trigger), which would reload every in-process search
-- index on each stored embedding. A row per chunk is queued (embedding NULL) by a trigger on
-- insert, in the chunk's own transaction, so the pending work is a partial-index lookup.
CREATE TABLE registry.chunk_embeddings (
  chunk_id  uuid PRIMARY KEY REFERENCES registry.chunks (id) ON DELETE CASCADE,
  bot_id    uuid NOT NULL REFERENCES registry.bots (id) ON DELETE CASCADE,
  embedding bytea
);
CREATE INDEX chunk_embeddings_pending_idx ON registry.chunk_embeddings (bot_id) WHERE embedding IS NULL;

ALTER TABLE registry.documents ADD COLUMN title_embedding bytea;
CREATE INDEX documents_title_pending_idx ON registry.documents (bot_id) WHERE title_embedding IS NULL;

-- Existing chunks (every language: a bot that becomes English later finds its chunks queued).
INSERT INTO registry.chunk_embeddings (chunk_id, bot_id) SELECT id, bot_id FROM registry.chunks;

CREATE FUNCTION registry.queue_chunk_embeddings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registry.chunk_embeddings (chunk_id, bot_id) SELECT id, bot_id FROM new_chunks;
  RETURN NULL;
END
$$;

CREATE TRIGGER chunks_inserted_queue_embeddings AFTER INSERT ON registry.chunks
  REFERENCING NEW TABLE AS new_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION registry.queue_chunk_embeddings();
