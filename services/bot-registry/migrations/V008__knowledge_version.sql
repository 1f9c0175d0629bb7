-- A version of each bot's knowledge, for bot-registry's in-process search index
-- (docs/architecture.md "In-process search index"): every search reads it with the bot's row
-- and uses a cached index only when it was built at exactly that version, so any number of
-- bot-registry replicas stay correct without talking to each other.
--
-- Bumped by statement-level triggers on registry.chunks, in the transaction that changes the
-- chunks (document added or deleted, a language change re-indexing them, a bot deleted), so no
-- code path can change what a search returns without a new version: every other table the
-- search reads (chunk_terms, bot_grams, bot_search_stats, documents' titles) changes only
-- together with the chunks. The values come from one sequence: never reused, even across a
-- rolled-back change. Writers already hold the bot's row lock (BotRepository::lock), so the
-- UPDATE adds no lock wait.
CREATE SEQUENCE registry.knowledge_version_seq;

ALTER TABLE registry.bots ADD COLUMN knowledge_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION registry.bump_knowledge_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE registry.bots SET knowledge_version = nextval('registry.knowledge_version_seq')
  WHERE id IN (SELECT DISTINCT bot_id FROM changed_chunks);
  RETURN NULL;
END
$$;

-- A trigger with a transition table has one event (PostgreSQL docs, CREATE TRIGGER).
CREATE TRIGGER chunks_inserted_knowledge_version AFTER INSERT ON registry.chunks
  REFERENCING NEW TABLE AS changed_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION registry.bump_knowledge_version();
CREATE TRIGGER chunks_updated_knowledge_version AFTER UPDATE ON registry.chunks
  REFERENCING NEW TABLE AS changed_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION registry.bump_knowledge_version();
CREATE TRIGGER chunks_deleted_knowledge_version AFTER DELETE ON registry.chunks
  REFERENCING OLD TABLE AS changed_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION registry.bump_knowledge_version();
