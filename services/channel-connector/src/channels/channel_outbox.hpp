#pragma once
// The durable outbox's sender: bot and operator messages of channel conversations (queued in the
// transaction that committed them) delivered with Telegram sendMessage — per conversation in
// order, split at 4096 UTF-16 units, the sources listed, within the per-bot and per-chat send
// rates, retried with back-off on network errors, 5xx and 429 (Telegram's retry_after honoured),
// never on other 4xx; 403 (the customer blocked the bot) marks the chat inactive.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "channels/channel_repository.hpp"
#include "channels/lease_heartbeat.hpp"
#include "pipeline/pipeline_ports.hpp"
#include "channels/send_rate_limiter.hpp"
#include "pipeline/worker_pool.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

namespace telegram {
class BotApiClient;
}
namespace whatsapp {
class GraphClient;
}

/// Tunables of the sender.
struct ChannelCredentials;

/// The WhatsApp customer-service window: free-form messages only within 24 h of the customer's
/// last message (https://developers.facebook.com/docs/whatsapp/pricing#customer-service-windows).
inline constexpr std::chrono::hours kWhatsAppWindow{24};

/// sendChatAction calls waiting at most (more are dropped: best effort); also the most chats
/// whose "typing…" is repeated at once (more get the first call only).
inline constexpr std::size_t kTypingQueue = 64;

struct OutboxSettings {
  std::size_t workers = 4;                       // CHANNEL_OUTBOX_WORKERS: sends at once
  std::chrono::milliseconds lease{10000};        // CHANNEL_LEASE_MS: renewed while sending
  std::chrono::milliseconds idle_poll{500};      // look for due rows at least this often
  int max_attempts = 12;                          // CHANNEL_OUTBOX_MAX_ATTEMPTS, then failed
  std::chrono::milliseconds backoff_base{1000};  // 1 s, 2 s, 4 s … capped at backoff_max
  std::chrono::milliseconds backoff_max{300000};
  SendRates rates;
  /// "typing…" is shown for about 5 s (https://core.telegram.org/bots/api#sendchataction): while
  /// the reply is still owed it is sent again after this long, at most typing_repeats times.
  std::chrono::milliseconds typing_interval{4000};
  int typing_repeats = 15;
  /// tgrate: TELEGRAM_RATINGS (default on): a rateable bot reply's last part carries 👍 / 👎
  /// buttons (docs/channels.md "Ratings on Telegram").
  bool ratings = true;
};

/// One claiming thread + a WorkerPool of `workers` threads. Thread-safe.
class OutboxSender : public OutboundListener {
 public:
  /// `rates` (optional, must outlive the sender) books the sends — the SharedSendRateLimiter of
  /// every replica; null = a SendRateLimiter of this replica with settings.rates.
  OutboxSender(ChannelRepository& repository, std::shared_ptr<const crypto::SecretBox> box,
               telegram::BotApiClient& telegram, OutboxSettings settings, metrics::Registry& registry,
               SendRateGate* rates = nullptr);
  ~OutboxSender() override;
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();
  /// Stops claiming, lets running sends finish, joins (idempotent).
  void stop();
  void on_outbound(const std::string& conversation_id) override;
  /// The Graph API client for WhatsApp channels (null: their rows wait). Set before start().
  void set_whatsapp(whatsapp::GraphClient* graph) { whatsapp_ = graph; }
  /// The replica's name on the rows it leases (renew_leases renews only its own). Set before
  /// start().
  void set_owner(std::string owner) { owner_ = std::move(owner); }
  /// Heartbeat task: renews the leases of the rows being sent now (throws pg::Error). A row
  /// whose sender died is claimed again (by any replica) one lease after its last renewal.
  void renew_leases();
  /// Rows being sent now (tests).
  std::vector<std::int64_t> held_rows() const { return sending_.snapshot(); }

  /// Best-effort "typing…" in `chat_id` (sendChatAction); failures are only logged. With a
  /// `conversation_id`, repeated every typing_interval while the bot still owes that conversation
  /// a reply (ChannelRepository::awaiting_bot_reply), at most typing_repeats times; an outbound
  /// message of the conversation (on_outbound) ends it. Never blocks: calls go to the typing
  /// thread's queue (kTypingQueue), dropped when it is full.
  void send_typing(const ChannelRecord& channel, const std::string& chat_id,
                   const std::string& conversation_id = {});

  /// Claims due rows and delivers them on the calling thread: the number delivered or
  /// rescheduled. For tests (the thread uses the pool instead).
  int run_once_inline();

  /// The delay before attempt `attempts + 1` (exponential, capped), or Telegram's retry_after.
  std::chrono::milliseconds backoff(int attempts, int retry_after_s) const;

 private:
  void loop();
  /// Delivers one claimed row; `more` is set false when it was sent and its conversation has
  /// no further pending row (nothing a claim could newly find because of this row).
  void deliver(const OutboxJob& job, bool& more);
  /// WhatsApp: the 24-hour window check (outside → window_closed, no call), then one
  /// /messages call per part (4096 characters), retried like Telegram's.
  void deliver_whatsapp(const OutboxJob& job, const ChannelRecord& channel,
                        const ChannelCredentials& credentials);

  ChannelRepository& repository_;
  std::shared_ptr<const crypto::SecretBox> box_;
  telegram::BotApiClient& telegram_;
  whatsapp::GraphClient* whatsapp_ = nullptr;
  OutboxSettings settings_;
  SendRateLimiter own_limiter_;
  SendRateGate& limiter_;
  std::string owner_ = "cc-local";
  HeldIds sending_;  // rows claimed and not yet finished
  std::shared_ptr<spdlog::logger> log_;
  metrics::Counter& sent_;
  metrics::Counter& retried_;
  metrics::Counter& failed_;
  std::atomic<int> in_flight_{0};
  /// Rows may be due that no claim has looked for: set by on_outbound(conversation) and by a
  /// claim that took as many as it asked for; cleared right before each claim.
  std::atomic<bool> claim_owed_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  /// The earliest time a row the rate limiter rescheduled falls due (+ a few ms): the claiming
  /// loop wakes then rather than after a whole idle_poll. Guarded by mutex_.
  std::optional<std::chrono::steady_clock::time_point> limiter_due_;
  void note_limiter_wait(std::chrono::milliseconds wait);
  bool stopping_ = false;
  /// A chat whose "typing…" is repeated (send_typing), keyed by conversation id.
  struct TypingRepeat {
    std::string channel_id;
    crypto::SealedValue sealed;  // the channel's sealed credentials
    std::string chat_id;
    int left = 0;
    std::chrono::steady_clock::time_point next;
  };
  std::map<std::string, TypingRepeat> typing_;  // guarded by mutex_, at most kTypingQueue
  /// Submits the due repeats (called by the claiming loop); the earliest next one, if any.
  std::optional<std::chrono::steady_clock::time_point> repeat_typing();
  void submit_typing(const std::string& channel_id, const crypto::SealedValue& sealed,
                     const std::string& chat_id, const std::string& conversation_id);
  std::unique_ptr<WorkerPool> pool_;
  /// "typing…" calls: their own thread and queue (kTypingQueue, dropped when full), so they
  /// never take a delivery's worker or queue slot.
  std::unique_ptr<WorkerPool> typing_pool_;
  std::thread thread_;
};

}  // namespace botfactory::channel
