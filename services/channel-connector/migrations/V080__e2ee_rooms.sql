-- End-to-end encrypted private rooms (issue 11, docs/e2ee.md). The server keeps only opaque
-- text: device public keys (b64u of an uncompressed P-256 point), which key id each key epoch
-- of a room uses, and each room key wrapped for each member device. It never holds a room key.
ALTER TABLE chat.rooms
  ADD COLUMN e2ee      boolean NOT NULL DEFAULT false,
  ADD COLUMN key_epoch integer NOT NULL DEFAULT 1 CHECK (key_epoch >= 1),
  ADD CONSTRAINT rooms_e2ee_private CHECK (NOT e2ee OR visibility = 'private');

-- A user's browser devices (ECDH P-256 public keys). Visitors have none.
CREATE TABLE chat.e2ee_devices (
  tenant_id  uuid NOT NULL,
  user_id    text NOT NULL,
  device_id  text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9_-]{22}$'),
  public_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id, device_id)
);

-- The key id of each epoch of a room: the first upload for an epoch fixes it.
CREATE TABLE chat.e2ee_room_epochs (
  room_id           uuid NOT NULL REFERENCES chat.rooms (conversation_id) ON DELETE CASCADE,
  epoch             integer NOT NULL CHECK (epoch >= 1),
  key_id            text NOT NULL,
  created_by_user   text NOT NULL,
  created_by_device text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, epoch)
);

-- A room key of one epoch wrapped for one device of one member (by a member's device).
CREATE TABLE chat.e2ee_room_key_wraps (
  room_id           uuid NOT NULL,
  epoch             integer NOT NULL,
  user_id           text NOT NULL,
  device_id         text NOT NULL,
  wrapped_key       text NOT NULL,
  wrapped_by_user   text NOT NULL,
  wrapped_by_device text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, epoch, user_id, device_id),
  FOREIGN KEY (room_id, epoch) REFERENCES chat.e2ee_room_epochs (room_id, epoch) ON DELETE CASCADE
);
-- "my keys": every epoch's wrap for one device.
CREATE INDEX e2ee_room_key_wraps_device ON chat.e2ee_room_key_wraps (room_id, user_id, device_id);

-- Files of e2ee rooms are ciphertext, stored as application/octet-stream (never sniffed,
-- never thumbnailed); attachment_service allows that type only in e2ee rooms.
ALTER TABLE chat.attachments DROP CONSTRAINT attachments_media_type_check;
ALTER TABLE chat.attachments ADD CONSTRAINT attachments_media_type_check
  CHECK (media_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf',
                        'application/octet-stream'));
