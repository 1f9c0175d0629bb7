-- harden: registry.documents.title_embedding (V020) is gone. V021 moved document titles'
-- embeddings to registry.title_embeddings (copying the stored values of English bots) and kept
-- the column only for replicas still running V020's code during that rolling update; the code
-- since V021 never reads or writes it, and this is the next release. Its partial index
-- documents_title_pending_idx goes with it.
DROP INDEX IF EXISTS registry.documents_title_pending_idx;
ALTER TABLE registry.documents DROP COLUMN IF EXISTS title_embedding;
