-- Character 4-grams for SearchKnowledge's second stage (docs/benchmarks.md "Knowledge
-- retrieval", "Character 4-grams"). The word BM25F ranking (V002/V005/V006) picks the
-- candidates; their character 4-gram BM25 is added to the score, so a question that spells a
-- word differently from the knowledge ("corona virus" / "coronavirus", "illnes", "COVID-10",
-- "spreadable") still meets its chunk half-way. Grams are taken across word boundaries of the
-- lower-cased text with every run of non-alphanumeric characters turned into one space, padded
-- with a space at both ends (" cor", "coro", ..., "us e", ...); Uzbek is folded to Latin first
-- (registry.uz_latin, V005) and Cyrillic ё read as е.

-- The text the grams are cut from: lower-cased (Uzbek folded to Latin first, ё read as е),
-- every run of characters that are not alphanumeric (the database locale's [:alnum:]: Cyrillic
-- and Latin letters and digits under a UTF-8 locale) one space, a space at both ends. A plain
-- expression, so PostgreSQL inlines it into the search query.
CREATE FUNCTION registry.gram_text(language text, t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ' ' || btrim(regexp_replace(translate(lower(
    CASE language WHEN 'uz' THEN registry.uz_latin(t) ELSE t END), 'ё', 'е'),
    '[^[:alnum:]]+', ' ', 'g')) || ' '
$$;

-- The distinct 4-grams of `t` for a bot language and how often each occurs. Four passes of
-- non-overlapping matches (offsets 1..4) give every overlapping gram in linear time (substr()
-- by position is quadratic on UTF-8 text).
CREATE FUNCTION registry.char_grams(language text, t text) RETURNS TABLE (gram text, n integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT m[1], count(*)::integer
  FROM generate_series(1, 4) AS r,
       regexp_matches(substr(registry.gram_text(language, t), r), '....', 'g') AS m
  GROUP BY 1
$$;

-- A chunk's gram vector {gram: tf}: its text's grams plus its document title's counted twice
-- (the same field weight as the lexemes, V002).
CREATE FUNCTION registry.gram_vector(language text, title text, body text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(jsonb_object_agg(gram, n), '{}'::jsonb) FROM (
    SELECT gram, sum(n)::integer AS n FROM (
      SELECT gram, 2 * n AS n FROM registry.char_grams(language, title)
      UNION ALL SELECT gram, n FROM registry.char_grams(language, body)) a
    GROUP BY gram) b
$$;

-- The sum of a gram vector's counts (the chunk's gram BM25 length).
CREATE FUNCTION registry.gram_total(grams jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT COALESCE(sum(value::integer), 0)::integer FROM jsonb_each_text(grams)
$$;

ALTER TABLE registry.chunks ADD COLUMN grams jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE registry.chunks
  ADD COLUMN gram_count integer GENERATED ALWAYS AS (registry.gram_total(grams)) STORED;

-- Per bot: in how many of its chunks each gram occurs (the grams' df, for their idf). Kept by
-- KnowledgeRepository: + on insert, - on delete (both upserts in gram order, so two writers
-- lock rows in the same order), rebuilt on reindex; gone with the bot.
CREATE TABLE registry.bot_grams (
  bot_id uuid NOT NULL REFERENCES registry.bots (id) ON DELETE CASCADE,
  gram   text NOT NULL,
  df     integer NOT NULL,
  PRIMARY KEY (bot_id, gram) INCLUDE (df)
);

-- Per bot: N and the total lengths (words and grams) of its chunks, the BM25 statistics, kept
-- like registry.bot_grams. One row read by primary key instead of an index scan of every chunk
-- of the bot (1.2 ms at 10 000 chunks), whatever plan a long-lived prepared statement keeps.
CREATE TABLE registry.bot_search_stats (
  bot_id     uuid PRIMARY KEY REFERENCES registry.bots (id) ON DELETE CASCADE,
  chunks     integer NOT NULL,
  term_total bigint NOT NULL,
  gram_total bigint NOT NULL
);

-- Backfill.
UPDATE registry.chunks c SET grams = registry.gram_vector(b.language, d.title, c.text)
FROM registry.documents d, registry.bots b WHERE d.id = c.document_id AND b.id = c.bot_id;

INSERT INTO registry.bot_grams (bot_id, gram, df)
SELECT c.bot_id, k, count(*)::integer FROM registry.chunks c, jsonb_object_keys(c.grams) AS k
GROUP BY c.bot_id, k;

INSERT INTO registry.bot_search_stats (bot_id, chunks, term_total, gram_total)
SELECT bot_id, count(*)::integer, sum(term_count), sum(gram_count) FROM registry.chunks
GROUP BY bot_id;
