-- Per-tenant attachment storage (tidy, issue 11 "Files"): the running total of the bytes a
-- tenant has in the attachment store, checked against its plan's max_storage_bytes before an
-- upload's bytes are stored, and the queue of stored files whose row is gone, which the
-- attachment sweeper (attachment_sweeper.hpp) deletes from the store in bounded batches.

-- used_bytes = originals of chat.attachments rows + queued (not yet swept) files + uploads in
-- flight (reserved before their bytes are stored, released when they fail before their row).
CREATE TABLE chat.tenant_storage (
  tenant_id  uuid PRIMARY KEY,
  used_bytes bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO chat.tenant_storage (tenant_id, used_bytes)
  SELECT tenant_id, sum(size_bytes) FROM chat.attachments GROUP BY tenant_id;

-- Files to delete from the store. A row is added by the trigger below whenever an attachment
-- row goes (its conversation or room deleted — ON DELETE CASCADE —, a failed or duplicate
-- upload, or the sweeper's own orphan pass); the sweeper takes rows with FOR UPDATE SKIP LOCKED,
-- so two channel-connector replicas never take the same file.
CREATE TABLE chat.attachment_sweep (
  id            bigserial PRIMARY KEY,
  tenant_id     uuid NOT NULL,
  storage_key   text NOT NULL,
  thumbnail_key text,
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  queued_at     timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION chat.attachment_queue_sweep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chat.attachment_sweep (tenant_id, storage_key, thumbnail_key, size_bytes)
  VALUES (OLD.tenant_id, OLD.storage_key, OLD.thumbnail_key, OLD.size_bytes);
  RETURN OLD;
END $$;

CREATE TRIGGER attachments_queue_sweep AFTER DELETE ON chat.attachments
  FOR EACH ROW EXECUTE FUNCTION chat.attachment_queue_sweep();

-- The orphan pass: uploads whose message never committed or was deleted (message_id NULL).
CREATE INDEX attachments_unlinked ON chat.attachments (created_at) WHERE message_id IS NULL;
