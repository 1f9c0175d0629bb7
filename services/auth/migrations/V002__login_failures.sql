-- Failed logins per account, for the growing back-off of Authenticator::login. Keyed by the
-- SHA-256 hex of the normalized e-mail, whether or not such a user exists (so the throttle never
-- tells which accounts exist, and attacker-chosen strings are never stored). A row is forgotten
-- once expires_at has passed (pruned a few rows at a time on later failures).

CREATE TABLE login_failures (
  email_hash    text PRIMARY KEY,
  failures      integer NOT NULL,
  blocked_until timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);

CREATE INDEX login_failures_expires_idx ON login_failures (expires_at);
