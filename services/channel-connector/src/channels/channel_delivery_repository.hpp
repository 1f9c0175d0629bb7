#pragma once
// PostgreSQL access to a channel's failed outbound messages (chat.channel_outbox, migrations
// V003-V005): listing them for the tenant and putting them back into the outbox (replay).

#include <cstdint>
#include <string>
#include <vector>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// One outbox row given up on. Times in µs since the epoch.
struct FailedDeliveryRow {
  std::int64_t id = 0;
  std::string chat_id;       // the conversation's external chat id
  std::string text_preview;  // ≤ 80 characters of the message text, "…" when cut
  int attempts = 0;
  std::string last_error;
  std::int64_t failed_at_us = 0;
  std::string status;  // "failed" | "window_closed"
};

/// Repository over the pool; each method borrows one connection and throws pg::Error on
/// database failures.
class ChannelDeliveryRepository {
 public:
  explicit ChannelDeliveryRepository(pg::Pool& pool);

  /// Rows of `channel_id` in state failed or window_closed, or sent with WhatsApp status
  /// "failed", newest first, at most `limit`.
  std::vector<FailedDeliveryRow> list_failed(const std::string& channel_id, int limit);
  /// Puts up to `max_rows` such rows of `channel_id` (only those in `ids` when non-empty) back to
  /// pending, due now, attempts 0, without lease, in one statement (a row is replayed once even
  /// when two replays race). A row failed mid-split keeps parts_sent (the parts Telegram
  /// accepted are not repeated); a row Meta reported failed after accepting it is resent whole.
  /// Returns the conversation id of each replayed row.
  std::vector<std::string> replay(const std::string& channel_id, const std::vector<std::int64_t>& ids,
                                  int max_rows);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
