-- Team accounts (Chatwoot-style agents): several users per tenant, each with a role, joining
-- through single-use invites. Users registered before this migration own their tenant.

-- A tenant may now have many users; lookups by tenant keep an index.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_tenant_id_key;
CREATE INDEX users_tenant_idx ON users (tenant_id);

-- owner: created the tenant (exactly one per tenant); admin: everything but billing and
-- owner-only team operations; operator: conversations, inbox, hand-off, rooms, files.
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'owner'
  CHECK (role IN ('owner', 'admin', 'operator'));
-- Removal keeps the row (ids stay resolvable in chat history) but ends the membership: the user
-- cannot log in, refresh or be seen in the team, and no longer takes a seat.
ALTER TABLE users ADD COLUMN removed_at timestamptz;
CREATE UNIQUE INDEX users_one_owner_idx ON users (tenant_id) WHERE role = 'owner';

-- Invites: the token is shown once; only its SHA-256 hex is stored.
CREATE TABLE team_invites (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  role        text NOT NULL CHECK (role IN ('admin', 'operator')),
  created_by  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  used_by     uuid REFERENCES users (id) ON DELETE SET NULL,
  revoked_at  timestamptz
);

CREATE INDEX team_invites_tenant_live_idx ON team_invites (tenant_id)
  WHERE used_at IS NULL AND revoked_at IS NULL;
