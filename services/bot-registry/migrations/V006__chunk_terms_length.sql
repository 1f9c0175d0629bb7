-- Faster SearchKnowledge at 10 000 chunks per bot (docs/benchmarks.md "Knowledge retrieval"):
-- each posting carries its chunk's BM25 length (registry.chunks.term_count, fixed while the
-- posting exists: a re-index deletes and re-inserts the postings), and the primary key index
-- covers tf and len, so scoring reads the postings of the query lexemes by an index-only scan
-- instead of joining every matched chunk (a 10 000-chunk bot: a sequential scan of chunks).
ALTER TABLE registry.chunk_terms ADD COLUMN len integer;
UPDATE registry.chunk_terms t SET len = c.term_count FROM registry.chunks c WHERE c.id = t.chunk_id;
ALTER TABLE registry.chunk_terms ALTER COLUMN len SET NOT NULL;
ALTER TABLE registry.chunk_terms DROP CONSTRAINT chunk_terms_pkey;
ALTER TABLE registry.chunk_terms ADD PRIMARY KEY (bot_id, lexeme, chunk_id) INCLUDE (tf, len);
