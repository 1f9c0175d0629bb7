-- The earlier texts of edited or deleted messages, readable by the conversation's admins only
-- (ListMessageVersions). version 1 is the original text.
CREATE TABLE chat.message_versions (
  message_id  uuid NOT NULL REFERENCES chat.messages (id) ON DELETE CASCADE,
  version     int NOT NULL CHECK (version > 0),
  text        text NOT NULL,
  written_at  timestamptz NOT NULL,
  replaced_at timestamptz NOT NULL DEFAULT now(),
  replaced_by text NOT NULL CHECK (replaced_by IN ('edit', 'delete')),
  PRIMARY KEY (message_id, version)
);
