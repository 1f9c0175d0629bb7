-- harden: generated thumbnails count in the tenant's attachment storage (chat.tenant_storage,
-- V095). An upload reserves its original's bytes plus its thumbnail's; the row keeps the
-- thumbnail's size so that the sweeper gives both back once when the row goes.
-- Rows stored before this migration keep thumbnail_bytes = 0: their thumbnails were never
-- counted, so nothing is given back for them either.
ALTER TABLE chat.attachments
  ADD COLUMN thumbnail_bytes bigint NOT NULL DEFAULT 0 CHECK (thumbnail_bytes >= 0);

-- chat.attachment_sweep.size_bytes is now the bytes the row counted: original + thumbnail.
CREATE OR REPLACE FUNCTION chat.attachment_queue_sweep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chat.attachment_sweep (tenant_id, storage_key, thumbnail_key, size_bytes)
  VALUES (OLD.tenant_id, OLD.storage_key, OLD.thumbnail_key, OLD.size_bytes + OLD.thumbnail_bytes);
  RETURN OLD;
END $$;
