-- Editing and deleting (issue 11, docs/protocol.md "Editing and deleting"): when a message was
-- last edited, and its tombstone (deleted_at set, text '').
ALTER TABLE chat.messages ADD COLUMN edited_at timestamptz;
ALTER TABLE chat.messages ADD COLUMN deleted_at timestamptz;
