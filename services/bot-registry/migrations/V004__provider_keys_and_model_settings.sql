-- Per-bot model settings and per-tenant provider keys (docs/architecture.md, "Provider keys").
-- A key is stored only as libsodium crypto_secretbox ciphertext (XSalsa20-Poly1305) under
-- PROVIDER_KEYS_SECRET with a random 24-byte nonce per value; last_four is what reads show.
ALTER TABLE registry.bots
  ADD COLUMN max_output_tokens integer NOT NULL DEFAULT 1024
    CHECK (max_output_tokens BETWEEN 1 AND 32768),
  ADD COLUMN fallback_to_extractive boolean NOT NULL DEFAULT true;

CREATE TABLE registry.provider_keys (
  tenant_id      uuid NOT NULL,
  provider       text NOT NULL CHECK (provider IN ('openai', 'gemini')),
  key_nonce      bytea NOT NULL CHECK (octet_length(key_nonce) = 24),
  key_ciphertext bytea NOT NULL,
  last_four      text NOT NULL,
  base_url       text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, provider)
);
