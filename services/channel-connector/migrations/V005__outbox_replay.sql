-- Failed outbound messages for the tenant (docs/channels.md "Replaying failed messages"): when
-- a row was given up on (failed, window_closed, or a WhatsApp status "failed" after Meta accepted
-- it) and how often it was replayed; and an index for listing a channel's failed rows.
ALTER TABLE chat.channel_outbox
  ADD COLUMN failed_at timestamptz,
  ADD COLUMN replays integer NOT NULL DEFAULT 0;
UPDATE chat.channel_outbox SET failed_at = COALESCE(delivery_status_at, created_at)
  WHERE state IN ('failed', 'window_closed') OR delivery_status = 'failed';
CREATE INDEX channel_outbox_failed ON chat.channel_outbox (channel_id, id)
  WHERE state IN ('failed', 'window_closed') OR delivery_status = 'failed';
