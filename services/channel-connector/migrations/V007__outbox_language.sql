-- The bot's language on its outbound rows (en, ru, uz; '' = operator message or unknown): the
-- sender renders the sources heading of a reply in it ("Sources:", "Источники:", "Manbalar:";
-- bot_phrases.hpp) without asking bot-registry at send time. Rows from before are English.
ALTER TABLE chat.channel_outbox ADD COLUMN language text NOT NULL DEFAULT '';
