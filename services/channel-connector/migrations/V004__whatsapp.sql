-- WhatsApp Cloud API on the channel machinery (docs/channels.md): the outbox row's message id at
-- Meta (wamid) and its last delivery status (sent, delivered, read, failed from the webhook's
-- statuses[]), the 'window_closed' state (not sent: more than 24 h since the customer's last
-- message, https://developers.facebook.com/docs/whatsapp/pricing#customer-service-windows), and
-- the time of the customer's last message per conversation.
ALTER TABLE chat.channel_outbox DROP CONSTRAINT channel_outbox_state_check;
ALTER TABLE chat.channel_outbox
  ADD CONSTRAINT channel_outbox_state_check
    CHECK (state IN ('pending', 'sent', 'failed', 'window_closed')),
  ADD COLUMN external_message_id text,
  ADD COLUMN delivery_status text NOT NULL DEFAULT '',
  ADD COLUMN delivery_status_at timestamptz;
CREATE INDEX channel_outbox_external
  ON chat.channel_outbox (channel_id, external_message_id) WHERE external_message_id IS NOT NULL;

ALTER TABLE chat.conversations ADD COLUMN last_customer_message_at timestamptz;
