-- Files sent in conversations (issue 11 "Files"): metadata here, the bytes in the attachment
-- store (ATTACHMENT_STORE: a local volume or S3) under storage_key / thumbnail_key.
CREATE TABLE chat.attachments (
  id              uuid PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
  tenant_id       uuid NOT NULL,
  uploader_kind   text NOT NULL CHECK (uploader_kind IN ('visitor', 'bot', 'operator')),
  uploader_id     text NOT NULL,
  -- detected from the content with libmagic, never taken from the client
  media_type      text NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg', 'image/webp',
                                                     'image/gif', 'application/pdf')),
  size_bytes      bigint NOT NULL CHECK (size_bytes > 0),
  sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  original_name   text NOT NULL CHECK (octet_length(original_name) BETWEEN 1 AND 255),
  storage_key     text NOT NULL,
  thumbnail_key   text,
  width           integer NOT NULL DEFAULT 0,
  height          integer NOT NULL DEFAULT 0,
  -- the message that carries it; NULL only between the upload and its message's commit
  message_id      uuid REFERENCES chat.messages (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- ListMessages decorates a page of messages with their attachments.
CREATE UNIQUE INDEX attachments_message ON chat.attachments (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_conversation ON chat.attachments (conversation_id, created_at);
