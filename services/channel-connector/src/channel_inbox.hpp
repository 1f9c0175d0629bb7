#pragma once
// The durable inbox's processor: stored channel updates become visitor messages of channel
// conversations, posted through ChatService like a widget visitor's (seq, Redis fan-out, bot
// pipeline). A crash at any point loses nothing: rows are claimed with a lease, the post is
// idempotent on "tg-<update_id>", and a posted update whose reply never came is handed to the
// pipeline again once (recovery).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "channel_bindings.hpp"
#include "channel_repository.hpp"
#include "worker_pool.hpp"

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
  std::chrono::milliseconds lease{30000};          // a claimed row is retried after this
  std::chrono::milliseconds idle_poll{1000};       // look for work at least this often
  std::chrono::milliseconds recovery_after{60000};  // CHANNEL_REPLY_RECOVERY_MS
  std::chrono::milliseconds held_poll{20};         // look again this often while a tenant is held
};

/// One claiming thread and a pool of `threads` posting threads. Each pass claims up to `batch`
/// pending rows (id order), groups them by chat (channel + external chat id, read from the
/// stored payload) and posts the groups in parallel, each group's rows in id order on one thread;
/// the pass ends when every group is done, so a chat's next rows are claimed only after its
/// earlier ones were posted (per-chat order). A row that fails stops its group: the rest of that
/// chat waits for the lease, in order. `typing` (optional) is called after a visitor message was
/// posted: (channel, external chat id) — the sender shows "typing…" there.
class InboxProcessor : public InboxWaker {
 public:
  using TypingHook = std::function<void(const ChannelRecord&, const std::string& chat_id,
                                        const std::string& conversation_id)>;
  InboxProcessor(ChannelRepository& repository, ChatService& chat, VisitorMessageListener& pipeline,
                 InboxSettings settings, TypingHook typing = {});
  ~InboxProcessor() override;
  InboxProcessor(const InboxProcessor&) = delete;
  InboxProcessor& operator=(const InboxProcessor&) = delete;

  /// Back-pressure (optional; set before start()): true when the bot pipeline takes more
  /// messages of the tenant. When it says no, that channel's claimed rows are given back and its
  /// rows are not claimed again until it says yes (checked every held_poll): a burst waits in the
  /// table, in order, instead of overflowing the pipeline's bounded queue; other channels go on.
  using RoomCheck = std::function<bool(const std::string& tenant_id)>;
  void set_room_check(RoomCheck room) { room_ = std::move(room); }

  void start();
  /// Stops and joins (idempotent).
  void stop();
  void wake() override;

  /// One pass (claim + process, then recovery): the number of rows handled. Used by the thread
  /// and by tests.
  int run_once();

 private:
  void loop();
  /// Posts one chat's rows in order; stops at the first row that throws (left pending).
  void process_group(const std::vector<const InboxRow*>& rows,
                     const std::vector<const std::optional<ChannelRecord>*>& channels);
  void process(const InboxRow& row, const std::optional<ChannelRecord>& channel);
  /// The tenant has no room: gives `ids` back and holds `channel` until it has.
  void hold(const ChannelRecord& channel, const std::vector<std::int64_t>& ids);
  bool has_held() const;
  /// A stored WhatsApp message (whatsapp_wire.hpp stored form): text posted, others ignored.
  void process_whatsapp(const InboxRow& row, const ChannelRecord& channel);
  /// Posts `text` as the visitor message of (channel, chat) and marks the row posted (or
  /// failed when refused); `typing` sends the typing hook afterwards.
  void post_inbound(const InboxRow& row, const ChannelRecord& channel, const std::string& chat_id,
                    const std::string& visitor_id, const std::string& name, const std::string& client_id,
                    const std::string& text, bool typing);
  int recover();

  ChannelRepository& repository_;
  ChatService& chat_;
  VisitorMessageListener& pipeline_;
  InboxSettings settings_;
  TypingHook typing_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::chrono::steady_clock::time_point next_recovery_{};
  std::unique_ptr<WorkerPool> pool_;  // null with threads <= 1: groups run on the caller
  RoomCheck room_;
  mutable std::mutex held_mutex_;
  std::unordered_map<std::string, std::string> held_;  // channel id -> tenant id
};

/// The chat an inbox row belongs to, for grouping: the Telegram update's chat id or the
/// WhatsApp/Instagram sender; "" when the payload does not parse (the row is its own group).
std::string inbox_chat_key(const InboxRow& row, const std::string& channel_kind);

}  // namespace botfactory::channel
