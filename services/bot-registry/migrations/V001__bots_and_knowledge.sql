-- Bots and their knowledge bases (schema "registry", owned by bot-registry).
-- Deleting a bot removes it for good (hard delete): its documents and chunks go with it through
-- ON DELETE CASCADE. Nothing else references a bot by foreign key (other services keep its id).

CREATE TABLE registry.bots (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL,
  public_id    text NOT NULL UNIQUE,
  name         text NOT NULL,
  language     text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ru', 'uz')),
  greeting     text NOT NULL DEFAULT '',
  instructions text NOT NULL DEFAULT '',
  provider     text NOT NULL DEFAULT 'extractive' CHECK (provider IN ('extractive', 'gemini', 'openai')),
  model        text NOT NULL DEFAULT '',
  temperature  double precision NOT NULL DEFAULT 0.3 CHECK (temperature >= 0 AND temperature <= 2),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bots_tenant_idx ON registry.bots (tenant_id, created_at);

CREATE TABLE registry.documents (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bot_id      uuid NOT NULL REFERENCES registry.bots (id) ON DELETE CASCADE,
  title       text NOT NULL,
  format      text NOT NULL CHECK (format IN ('text', 'markdown', 'html')),
  body        text NOT NULL,
  size_bytes  bigint NOT NULL CHECK (size_bytes >= 0),  -- UTF-8 bytes of body, as uploaded
  chunk_count integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_bot_idx ON registry.documents (bot_id, created_at);

-- Search units. tsv = setweight(to_tsvector(cfg, document title), 'A') ||
-- setweight(to_tsvector(cfg, text), 'B') with cfg chosen by the bot's language
-- (english | russian | simple); rebuilt when the bot's language changes.
CREATE TABLE registry.chunks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  document_id uuid NOT NULL REFERENCES registry.documents (id) ON DELETE CASCADE,
  bot_id      uuid NOT NULL REFERENCES registry.bots (id) ON DELETE CASCADE,
  ordinal     integer NOT NULL,
  text        text NOT NULL,
  tsv         tsvector NOT NULL,
  UNIQUE (document_id, ordinal)
);
CREATE INDEX chunks_bot_idx ON registry.chunks (bot_id);
CREATE INDEX chunks_tsv_idx ON registry.chunks USING gin (tsv);
