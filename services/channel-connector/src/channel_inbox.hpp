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
#include <string>
#include <thread>

#include "channel_bindings.hpp"
#include "channel_repository.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::channel {

class ChatService;
class VisitorMessageListener;

/// Tunables of the inbox processor.
struct InboxSettings {
  int batch = 32;                                  // rows claimed at once
  std::chrono::milliseconds lease{30000};          // a claimed row is retried after this
  std::chrono::milliseconds idle_poll{1000};       // look for work at least this often
  std::chrono::milliseconds recovery_after{60000};  // CHANNEL_REPLY_RECOVERY_MS
};

/// One thread. `typing` (optional) is called after a visitor message was posted: (channel,
/// external chat id) — the sender shows "typing…" there.
class InboxProcessor : public InboxWaker {
 public:
  using TypingHook = std::function<void(const ChannelRecord&, const std::string& chat_id)>;
  InboxProcessor(ChannelRepository& repository, ChatService& chat, VisitorMessageListener& pipeline,
                 InboxSettings settings, TypingHook typing = {});
  ~InboxProcessor() override;
  InboxProcessor(const InboxProcessor&) = delete;
  InboxProcessor& operator=(const InboxProcessor&) = delete;

  void start();
  /// Stops and joins (idempotent).
  void stop();
  void wake() override;

  /// One pass (claim + process, then recovery): the number of rows handled. Used by the thread
  /// and by tests.
  int run_once();

 private:
  void loop();
  void process(const InboxRow& row);
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
};

}  // namespace botfactory::channel
