-- Files of end-to-end encrypted rooms are stored as application/octet-stream (docs/e2ee.md
-- "Files"; only e2ee rooms may hold them — the upload route decides, not this constraint).
ALTER TABLE chat.attachments DROP CONSTRAINT IF EXISTS attachments_media_type_check;
ALTER TABLE chat.attachments ADD CONSTRAINT attachments_media_type_check
  CHECK (media_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf',
                        'application/octet-stream'));
