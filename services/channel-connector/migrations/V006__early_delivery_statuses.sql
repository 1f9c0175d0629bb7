-- Delivery statuses (WhatsApp/Instagram webhook statuses[]) that arrive before the sender has
-- stored the message id Meta answered with: Meta may call the webhook (on any replica) before
-- the send's own transaction commits. They wait here and are applied when the id is stored
-- (channel_repository.cpp, kApplyEarlyStatus); rows older than a day are dropped.
CREATE TABLE chat.channel_early_statuses (
  channel_id          uuid NOT NULL REFERENCES chat.channels (id) ON DELETE CASCADE,
  external_message_id text NOT NULL,
  status              text NOT NULL,
  error               text NOT NULL DEFAULT '',
  received_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, external_message_id)
);
CREATE INDEX channel_early_statuses_age ON chat.channel_early_statuses (received_at);
