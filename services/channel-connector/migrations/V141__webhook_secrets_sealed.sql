-- hooksec: endpoint signing secrets sealed at rest (docs/security.md "Outgoing webhooks"):
-- libsodium secretbox (libs/crypto SecretBox) under WEBHOOK_SECRETS_KEY, a random 24-byte nonce
-- per value. Rows written by V140 kept their secret in plain text; those existed only in the
-- development databases of the session that built webhooks, so they are deleted (with their
-- deliveries, ON DELETE CASCADE) instead of being sealed at start-up: re-create the endpoint.
DELETE FROM chat.webhook_endpoints;
ALTER TABLE chat.webhook_endpoints
  DROP COLUMN secret,
  ADD COLUMN secret_nonce bytea NOT NULL CHECK (length(secret_nonce) = 24),
  ADD COLUMN secret_ciphertext bytea NOT NULL CHECK (length(secret_ciphertext) BETWEEN 17 AND 512);
