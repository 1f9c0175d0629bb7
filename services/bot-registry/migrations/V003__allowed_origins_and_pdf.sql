-- Per-bot allowed web origins for widget sessions and WebSocket upgrades (canonical
-- "scheme://host[:port]", checked by bot-registry; empty = any origin, as before), and PDF
-- knowledge documents (their body column holds the extracted text; size_bytes the PDF's bytes).
ALTER TABLE registry.bots ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}';

ALTER TABLE registry.documents DROP CONSTRAINT documents_format_check;
ALTER TABLE registry.documents
  ADD CONSTRAINT documents_format_check CHECK (format IN ('text', 'markdown', 'html', 'pdf'));
