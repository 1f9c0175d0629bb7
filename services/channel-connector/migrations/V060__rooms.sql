-- Rooms (issue 11, docs/architecture.md "Rooms"): a room is a chat.conversations row with
-- channel 'room' (its seq, messages and Redis channel are the conversation's), plus its name,
-- visibility, members and invite links. bot_id of the conversation is the room's bot, or the
-- nil UUID while no bot is a member.
CREATE TABLE chat.rooms (
  conversation_id uuid PRIMARY KEY REFERENCES chat.conversations (id) ON DELETE CASCADE,
  tenant_id       uuid NOT NULL,
  name            text NOT NULL,
  topic           text NOT NULL DEFAULT '',
  visibility      text NOT NULL CHECK (visibility IN ('public', 'private')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rooms_tenant_public ON chat.rooms (tenant_id, created_at DESC) WHERE visibility = 'public';

CREATE TABLE chat.room_members (
  room_id     uuid NOT NULL REFERENCES chat.rooms (conversation_id) ON DELETE CASCADE,
  member_kind text NOT NULL CHECK (member_kind IN ('user', 'visitor', 'bot')),
  member_id   text NOT NULL,
  name        text NOT NULL DEFAULT '',
  role        text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, member_kind, member_id)
);
-- "my rooms": the rooms of one member.
CREATE INDEX room_members_member ON chat.room_members (member_kind, member_id);
-- Exactly one owner per room.
CREATE UNIQUE INDEX room_members_one_owner ON chat.room_members (room_id) WHERE role = 'owner';

-- Invite links: the token is shown once; only its SHA-256 (hex) is kept.
CREATE TABLE chat.room_invites (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  room_id     uuid NOT NULL REFERENCES chat.rooms (conversation_id) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE,
  created_by  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Membership events in a room's seq stream (chat.v1 Message.event); NULL for chat messages.
ALTER TABLE chat.messages ADD COLUMN event text
  CONSTRAINT messages_event_known CHECK (event IN ('member.joined', 'member.left',
                                                   'member.removed', 'member.role'));
