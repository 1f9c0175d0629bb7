-- Who answers a conversation: the bot, or a person (an operator took it over), and whether the
-- visitor asked for a person (docs/protocol.md, "Takeover"). Numbered V010 so that channel work
-- adding V003+ at the same time cannot collide; the migrator applies any missing version, gaps
-- included.
ALTER TABLE chat.conversations
  ADD COLUMN handler text NOT NULL DEFAULT 'bot'
    CONSTRAINT conversations_handler_known CHECK (handler IN ('bot', 'human')),
  ADD COLUMN waiting_for_human boolean NOT NULL DEFAULT false;
