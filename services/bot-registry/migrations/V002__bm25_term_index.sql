-- BM25F ranking (docs/architecture.md "Retrieval"): an inverted index of the chunks' lexemes,
-- so a search reads only the postings of its query lexemes.
--
-- tf counts a lexeme's positions in the chunk's tsv plus its title (weight A) positions: the
-- document title counts twice (BM25F field weight 2). term_count is the same sum over all the
-- chunk's lexemes (its BM25 length). A lexeme stored without positions counts once.
CREATE FUNCTION registry.bm25_tf(positions smallint[], weights text[]) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (COALESCE(cardinality(positions), 1) +
          (SELECT count(*) FROM unnest(weights) AS w WHERE w = 'A'))::integer
$$;

CREATE FUNCTION registry.bm25_term_count(tsv tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT COALESCE(sum(registry.bm25_tf(u.positions, u.weights)), 0)::integer FROM unnest(tsv) AS u
$$;

ALTER TABLE registry.chunks
  ADD COLUMN term_count integer GENERATED ALWAYS AS (registry.bm25_term_count(tsv)) STORED;

-- One row per (chunk, lexeme). Rows go with their chunk (and so with the document and bot).
CREATE TABLE registry.chunk_terms (
  bot_id   uuid NOT NULL,
  lexeme   text NOT NULL,
  chunk_id uuid NOT NULL REFERENCES registry.chunks (id) ON DELETE CASCADE,
  tf       integer NOT NULL,
  PRIMARY KEY (bot_id, lexeme, chunk_id)
);
CREATE INDEX chunk_terms_chunk_idx ON registry.chunk_terms (chunk_id);

INSERT INTO registry.chunk_terms (bot_id, lexeme, chunk_id, tf)
SELECT c.bot_id, u.lexeme, c.id, registry.bm25_tf(u.positions, u.weights)
FROM registry.chunks c, unnest(c.tsv) AS u;

-- N and the average length per bot come from an index-only scan; searches no longer use @@.
DROP INDEX registry.chunks_tsv_idx;
DROP INDEX registry.chunks_bot_idx;
CREATE INDEX chunks_bot_idx ON registry.chunks (bot_id) INCLUDE (term_count);
