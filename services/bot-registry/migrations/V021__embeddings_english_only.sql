-- Sentence embeddings only for the bots whose language the encoder serves (USE-lite: English,
-- 'en'; docs/architecture.md "Sentence-encoder re-rank"). V020 queued every chunk and every
-- title, so Russian and Uzbek bots' rows stayed pending forever and the backfill worker's idle
-- poll went over them every second.
--
-- From here on a row of registry.chunk_embeddings (a chunk) or registry.title_embeddings (a
-- document's title, moved out of registry.documents.title_embedding) exists exactly for the
-- chunks and documents of bots whose language is embedded (registry.embedded_language):
-- embedding NULL = queued, a value = stored (V020's layout), no row = not embedded. Kept so by
--   * the insert triggers: only new chunks / documents of such bots are queued;
--   * a trigger on a bot's language: changed TO an embedded language, every chunk and title of
--     the bot is queued (the backfill worker embeds them); changed AWAY from it, the bot's rows
--     are deleted, queued and stored alike (nothing reads a non-English bot's vectors, and a
--     model change could otherwise put them back in the queue; a later switch back re-embeds).
-- Writers of a bot's chunks and its language hold the bot's row lock (BotRepository::lock), so
-- a chunk insert never races a language change. The worker's claims, stores and counts need no
-- join with registry.bots: the queue holds nothing else.
CREATE FUNCTION registry.embedded_language(language text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT language = 'en' $$;

CREATE TABLE registry.title_embeddings (
  document_id uuid PRIMARY KEY REFERENCES registry.documents (id) ON DELETE CASCADE,
  bot_id      uuid NOT NULL REFERENCES registry.bots (id) ON DELETE CASCADE,
  embedding   bytea
);
CREATE INDEX title_embeddings_pending_idx ON registry.title_embeddings (bot_id) WHERE embedding IS NULL;
-- A bot's rows, for a language change and a bot's deletion (ON DELETE CASCADE), without a scan.
CREATE INDEX title_embeddings_bot_idx ON registry.title_embeddings (bot_id);
CREATE INDEX chunk_embeddings_bot_idx ON registry.chunk_embeddings (bot_id);

-- Existing titles of English bots, stored or queued; the others are not queued any more.
INSERT INTO registry.title_embeddings (document_id, bot_id, embedding)
  SELECT d.id, d.bot_id, d.title_embedding FROM registry.documents d
  JOIN registry.bots b ON b.id = d.bot_id WHERE registry.embedded_language(b.language);
-- registry.documents.title_embedding (and documents_title_pending_idx) stay for now: during a
-- rolling update a replica still running V020's code reads and writes them, and this code never
-- does. A later migration drops both once no such replica can be left.

-- Existing chunks of other bots: their queued rows (and any stored vector) are dropped.
DELETE FROM registry.chunk_embeddings e USING registry.bots b
  WHERE b.id = e.bot_id AND NOT registry.embedded_language(b.language);

CREATE OR REPLACE FUNCTION registry.queue_chunk_embeddings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registry.chunk_embeddings (chunk_id, bot_id)
  SELECT n.id, n.bot_id FROM new_chunks n JOIN registry.bots b ON b.id = n.bot_id
  WHERE registry.embedded_language(b.language);
  RETURN NULL;
END
$$;

CREATE FUNCTION registry.queue_title_embeddings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registry.title_embeddings (document_id, bot_id)
  SELECT n.id, n.bot_id FROM new_documents n JOIN registry.bots b ON b.id = n.bot_id
  WHERE registry.embedded_language(b.language);
  RETURN NULL;
END
$$;

CREATE TRIGGER documents_inserted_queue_embeddings AFTER INSERT ON registry.documents
  REFERENCING NEW TABLE AS new_documents
  FOR EACH STATEMENT EXECUTE FUNCTION registry.queue_title_embeddings();

CREATE FUNCTION registry.requeue_embeddings_on_language() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF registry.embedded_language(NEW.language) AND NOT registry.embedded_language(OLD.language) THEN
    INSERT INTO registry.chunk_embeddings (chunk_id, bot_id)
      SELECT id, bot_id FROM registry.chunks WHERE bot_id = NEW.id ON CONFLICT DO NOTHING;
    INSERT INTO registry.title_embeddings (document_id, bot_id)
      SELECT id, bot_id FROM registry.documents WHERE bot_id = NEW.id ON CONFLICT DO NOTHING;
  ELSIF registry.embedded_language(OLD.language) AND NOT registry.embedded_language(NEW.language) THEN
    DELETE FROM registry.chunk_embeddings WHERE bot_id = NEW.id;
    DELETE FROM registry.title_embeddings WHERE bot_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER bots_language_queue_embeddings AFTER UPDATE OF language ON registry.bots
  FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
  EXECUTE FUNCTION registry.requeue_embeddings_on_language();
