#pragma once
// The durable inbox's processor: stored channel updates become visitor messages of channel
// conversations, posted through ChatService like a widget visitor's (seq, Redis fan-out, bot
// pipeline). A crash at any point loses nothing: rows are claimed with a lease that this
// replica's heartbeat renews while it works on them, the post is idempotent on
// "tg-<update_id>", and a posted update whose reply never came (its replica died, or the reply
// took longer than CHANNEL_REPLY_RECOVERY_MS) is handed to the pipeline again once (recovery).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "channels/channel_bindings.hpp"
#include "channels/channel_repository.hpp"
#include "channels/lease_heartbeat.hpp"
#include "channels/telegram_wire.hpp"
#include "pipeline/worker_pool.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::channel {

class ChatService;
class VisitorMessageListener;

/// Tunables of the inbox processor.
struct InboxSettings {
  int batch = 64;                                  // CHANNEL_INBOX_BATCH: rows claimed at once
  std::size_t threads = 4;                         // CHANNEL_INBOX_THREADS: chats posted at once
  std::chrono::milliseconds lease{10000};          // CHANNEL_LEASE_MS: renewed while worked on
  std::chrono::milliseconds idle_poll{1000};       // look for work at least this often
  std::chrono::milliseconds recovery_after{60000};  // CHANNEL_REPLY_RECOVERY_MS
  std::chrono::milliseconds held_poll{20};         // look again this often while a tenant is held
};

/// One claiming thread and a pool of `threads` posting threads. Each pass claims the head (oldest
/// open row) of up to `batch` free chats (ChannelRepository::claim_inbox) and works on them in
/// parallel: a pending head is posted and stays its chat's head ("posted", leased) until the
/// bot pipeline has finished its reply (on_reply_finished), so a chat's next update is posted
/// only after the reply to the previous one — on whichever replica — and replies come in the
/// order of the questions. A posted head claimed again (its lease ran out) is recovered: done
/// when its reply exists, else handed to the pipeline once more (once). The heartbeat
/// (renew_leases) renews the leases of the rows being posted and of the posted rows whose reply
/// is being generated (at most recovery_after); a row that fails is simply no longer renewed,
/// so it comes back after one lease, in order. `typing` (optional) is called after a visitor
/// message was posted: (channel, external chat id) — the sender shows "typing…" there.
class InboxProcessor : public InboxWaker {
 public:
  using TypingHook = std::function<void(const ChannelRecord&, const std::string& chat_id,
                                        const std::string& conversation_id)>;
  /// `owner` names this replica on the rows it leases.
  InboxProcessor(ChannelRepository& repository, ChatService& chat, VisitorMessageListener& pipeline,
                 InboxSettings settings, TypingHook typing = {}, std::string owner = "cc-local");
  ~InboxProcessor() override;
  InboxProcessor(const InboxProcessor&) = delete;
  InboxProcessor& operator=(const InboxProcessor&) = delete;

  /// Back-pressure (optional; set before start()): true when the bot pipeline takes more
  /// messages of the tenant. When it says no, that channel's claimed rows are given back and its
  /// rows are not claimed again until it says yes (checked every held_poll): a burst waits in the
  /// table, in order, instead of overflowing the pipeline's bounded queue; other channels go on.
  using RoomCheck = std::function<bool(const std::string& tenant_id)>;
  void set_room_check(RoomCheck room) { room_ = std::move(room); }

  /// tgrate: called with a Telegram callback_query update (a rating button pressed); the row is
  /// done after it returns (an exception brings the row back after one lease). Without a hook
  /// such updates are ignored. Set before start().
  using CallbackHook = std::function<void(const ChannelRecord&, const telegram::InboundText&)>;
  void set_callback_hook(CallbackHook hook) { callback_ = std::move(hook); }

  void start();
  /// Stops and joins (idempotent).
  void stop();
  void wake() override;

  /// One pass (claim + process): the number of rows handled. Used by the thread and by tests.
  int run_once();

  /// The bot pipeline is done with visitor message `message_id` of a channel conversation
  /// (replied, or decided not to): its inbox row is done and the chat's next row free. Called
  /// from the pipeline's threads; a call that comes before the row was marked posted is kept
  /// (at most kEarlyFinished ids) and applied then.
  void on_reply_finished(const std::string& message_id);

  /// Heartbeat task: renews the leases of the rows this replica works on (throws pg::Error).
  void renew_leases();
  /// Rows whose lease this replica renews now (tests).
  std::vector<std::int64_t> held_rows();

  static constexpr std::size_t kEarlyFinished = 4096;

 private:
  void loop();
  /// Works on one claimed head; a row that throws is no longer renewed (back after a lease).
  void process_row(const InboxRow& row, const std::optional<ChannelRecord>& channel);
  void process(const InboxRow& row, const std::optional<ChannelRecord>& channel);
  /// A posted head whose lease ran out: done when replied, else handed to the pipeline again
  /// (once: the second recovery closes it).
  void recover(const InboxRow& row);
  /// Posted row `inbox_id`: done when its reply exists; else handed to the pipeline when
  /// `again`, closed ("no reply after recovery") when not.
  void redeliver(std::int64_t inbox_id, bool again);
  /// Marks `inbox_id` finished and lets it go.
  void finish(std::int64_t inbox_id, const std::string& state, const std::string& error);
  /// Marks `inbox_id` finished; wakes the loop when its chat has another open row.
  void close(std::int64_t inbox_id, const std::string& state, const std::string& error);
  /// Renews posted row `inbox_id` until its reply to `message_id` is finished (or
  /// recovery_after passed); true when the reply was finished already (the row is done).
  bool await_reply(std::int64_t inbox_id, const std::string& message_id);
  /// The tenant has no room: holds `channel` until it has; `ids` are given back at the end of
  /// the pass (give_back).
  void hold(const ChannelRecord& channel, const std::vector<std::int64_t>& ids);
  /// Gives back the rows hold() collected in this pass, in one statement.
  void give_back();
  bool has_held() const;
  /// A stored WhatsApp message (whatsapp_wire.hpp stored form): text posted, others ignored.
  void process_whatsapp(const InboxRow& row, const ChannelRecord& channel);
  /// Posts `text` as the visitor message of (channel, chat) and marks the row posted (or
  /// failed when refused); `typing` sends the typing hook afterwards.
  void post_inbound(const InboxRow& row, const ChannelRecord& channel, const std::string& chat_id,
                    const std::string& visitor_id, const std::string& name, const std::string& client_id,
                    const std::string& text, bool typing);

  ChannelRepository& repository_;
  ChatService& chat_;
  VisitorMessageListener& pipeline_;
  InboxSettings settings_;
  TypingHook typing_;
  std::string owner_;
  std::shared_ptr<spdlog::logger> log_;
  HeldIds working_;  // claimed rows being posted or recovered
  struct Awaited {
    std::int64_t inbox_id = 0;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex awaited_mutex_;
  std::unordered_map<std::string, Awaited> awaited_;  // message id -> posted row; guarded
  std::unordered_set<std::string> early_;  // finished before awaited; guarded, kEarlyFinished
  std::deque<std::string> early_order_;    // oldest first
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::unique_ptr<WorkerPool> pool_;  // null with threads <= 1: groups run on the caller
  RoomCheck room_;
  CallbackHook callback_;
  mutable std::mutex held_mutex_;
  std::unordered_map<std::string, std::string> held_;  // channel id -> tenant id
  std::vector<std::int64_t> give_back_;  // held rows of this pass (at most a batch); guarded by held_mutex_
};

/// The chat an inbox row belongs to, for grouping: the Telegram update's telegram::chat_key or
/// the WhatsApp/Instagram sender; "" when the payload does not parse (the row is its own group).
std::string inbox_chat_key(const InboxRow& row, const std::string& channel_kind);

}  // namespace botfactory::channel
