#include "channels/channel_inbox.hpp"

#include <sodium.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "botfactory/common/logging.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/chat_service.hpp"
#include "channels/telegram_wire.hpp"
#include "channels/whatsapp_wire.hpp"
#include "chat/validation.hpp"

namespace botfactory::channel {

InboxProcessor::InboxProcessor(ChannelRepository& repository, ChatService& chat,
                               VisitorMessageListener& pipeline, InboxSettings settings,
                               TypingHook typing, std::string owner)
    : repository_(repository),
      chat_(chat),
      pipeline_(pipeline),
      settings_(settings),
      typing_(std::move(typing)),
      owner_(std::move(owner)),
      log_(common::logger("inbox")) {
  if (settings_.threads > 1) {
    pool_ = std::make_unique<WorkerPool>(settings_.threads,
                                         static_cast<std::size_t>(std::max(settings_.batch, 1)), "inbox");
  }
}

InboxProcessor::~InboxProcessor() { stop(); }

void InboxProcessor::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void InboxProcessor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (pool_) pool_->shutdown();
}

void InboxProcessor::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void InboxProcessor::loop() {
  for (;;) {
    int handled = 0;
    try {
      handled = run_once();
    } catch (const std::exception& e) {
      log_->warn("inbox pass failed: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    // A pass that took fewer rows than it asked for took every free head there was: the next one
    // waits for a wake (new update, a chat's head finished) or the poll. A full one goes on.
    if (handled < settings_.batch) {
      // A held tenant is looked at again soon: its pipeline queue drains in milliseconds.
      auto wait = has_held() ? std::min(settings_.held_poll, settings_.idle_poll) : settings_.idle_poll;
      wake_.wait_for(lock, wait, [&] { return woken_ || stopping_; });
    }
    woken_ = false;
    if (stopping_) return;
  }
}

std::string inbox_chat_key(const InboxRow& row, const std::string& channel_kind) {
  if (channel_kind == "whatsapp" || channel_kind == "instagram") {
    auto message = whatsapp::parse_stored_message(row.payload);
    return message ? message->from : std::string();
  }
  auto update = telegram::parse_update(row.payload);
  return update ? telegram::chat_key(*update) : std::string();
}

bool InboxProcessor::has_held() const {
  std::lock_guard lock(held_mutex_);
  return !held_.empty();
}

void InboxProcessor::hold(const ChannelRecord& channel, const std::vector<std::int64_t>& ids) {
  std::lock_guard lock(held_mutex_);
  held_.emplace(channel.id, channel.tenant_id);
  // Given back together at the end of the pass (one statement, not one per row: under overload
  // most of a pass's rows meet a full pipeline queue).
  give_back_.insert(give_back_.end(), ids.begin(), ids.end());
}

void InboxProcessor::give_back() {
  std::vector<std::int64_t> ids;
  {
    std::lock_guard lock(held_mutex_);
    ids.swap(give_back_);
  }
  if (ids.empty()) return;
  try {
    repository_.inbox_release(ids);
  } catch (const std::exception& e) {
    log_->warn("inbox: giving back {} held rows failed (their leases bring them back): {}", ids.size(), e.what());
  }
}

int InboxProcessor::run_once() {
  std::vector<std::string> skip;
  if (room_) {
    std::lock_guard lock(held_mutex_);
    for (auto it = held_.begin(); it != held_.end();) {
      if (room_(it->second)) {
        it = held_.erase(it);
      } else {
        skip.push_back(it->first);
        ++it;
      }
    }
  }
  auto rows = repository_.claim_inbox(settings_.batch, settings_.lease, owner_, skip);
  for (const auto& row : rows) working_.add(row.id);
  // One channel lookup per channel and pass (without the outbox counts), not one per row.
  std::unordered_map<std::string, std::optional<ChannelRecord>> channels;
  std::vector<std::pair<const InboxRow*, const std::optional<ChannelRecord>*>> work;
  for (const auto& row : rows) {
    auto found = channels.find(row.channel_id);
    if (found == channels.end()) {
      std::optional<ChannelRecord> record;
      try {
        record = repository_.get_core(row.channel_id);
      } catch (const std::exception& e) {
        log_->warn("inbox row {} not processed yet: {}", row.id, e.what());
        working_.remove(row.id);  // the lease brings it back
        continue;
      }
      found = channels.emplace(row.channel_id, std::move(record)).first;
    }
    work.emplace_back(&row, &found->second);
  }
  // Each row is the head of a different chat: all of them at once.
  if (!pool_ || work.size() <= 1) {
    for (auto& [row, channel] : work) process_row(*row, *channel);
  } else {
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::size_t left = work.size();
    auto finished = [&] {
      std::lock_guard lock(done_mutex);
      if (--left == 0) done_cv.notify_all();
    };
    // Counts the row as finished however process_row leaves.
    struct Finish {
      decltype(finished)& f;
      ~Finish() { f(); }
    };
    for (auto& [row, channel] : work) {
      bool taken = pool_->try_submit([&, row = row, channel = channel] {
        Finish finish{finished};
        process_row(*row, *channel);
      });
      if (!taken) {  // shutting down: the lease brings the row back
        working_.remove(row->id);
        finished();
      }
    }
    std::unique_lock lock(done_mutex);
    done_cv.wait(lock, [&] { return left == 0; });
  }
  give_back();
  return static_cast<int>(rows.size());
}

void InboxProcessor::process_row(const InboxRow& row, const std::optional<ChannelRecord>& channel) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {  // another replica (or the restart) takes it at once
      working_.remove(row.id);
      try {
        repository_.inbox_release({row.id});
      } catch (const std::exception&) {
        // the lease brings it back
      }
      return;
    }
  }
  try {
    if (room_ && channel && !room_(channel->tenant_id)) {
      working_.remove(row.id);
      hold(*channel, {row.id});
      return;
    }
    if (row.state == "posted") {
      recover(row);
    } else {
      process(row, channel);
    }
  } catch (const std::exception& e) {
    // No longer renewed: the lease makes it come back later, still its chat's head (database or
    // Redis trouble).
    log_->warn("inbox row {} not processed yet: {}", row.id, e.what());
  }
  working_.remove(row.id);
}

void InboxProcessor::finish(std::int64_t inbox_id, const std::string& state, const std::string& error) {
  close(inbox_id, state, error);
  working_.remove(inbox_id);
}

void InboxProcessor::close(std::int64_t inbox_id, const std::string& state, const std::string& error) {
  // The chat's next update is its head now: a pass takes it.
  if (repository_.inbox_finished(inbox_id, state, error)) wake();
}

bool InboxProcessor::await_reply(std::int64_t inbox_id, const std::string& message_id) {
  {
    std::lock_guard lock(awaited_mutex_);
    if (early_.erase(message_id) == 0) {
      awaited_[message_id] = Awaited{inbox_id, std::chrono::steady_clock::now() + settings_.recovery_after};
      return false;
    }
  }
  finish(inbox_id, "done", "");
  wake();
  return true;
}

void InboxProcessor::on_reply_finished(const std::string& message_id) {
  std::int64_t inbox_id = 0;
  {
    std::lock_guard lock(awaited_mutex_);
    auto it = awaited_.find(message_id);
    if (it == awaited_.end()) {
      if (early_.insert(message_id).second) {
        early_order_.push_back(message_id);
        if (early_order_.size() > kEarlyFinished) {
          early_.erase(early_order_.front());
          early_order_.pop_front();
        }
      }
      return;
    }
    inbox_id = it->second.inbox_id;
    awaited_.erase(it);
  }
  bool more = true;
  try {
    more = repository_.inbox_finished(inbox_id, "done", "");
  } catch (const std::exception& e) {
    // Not renewed any more: recovery finds the reply and marks it done after one lease.
    log_->warn("inbox row {}: marking it done failed: {}", inbox_id, e.what());
  }
  // A pass only when the chat's next update waits (anything else woke the loop already).
  if (more) wake();
}

std::vector<std::int64_t> InboxProcessor::held_rows() {
  auto ids = working_.snapshot();
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(awaited_mutex_);
  for (auto it = awaited_.begin(); it != awaited_.end();) {
    if (it->second.until <= now) {
      // Waited recovery_after: let the lease run out, recovery looks at it.
      it = awaited_.erase(it);
    } else {
      ids.push_back(it->second.inbox_id);
      ++it;
    }
  }
  return ids;
}

void InboxProcessor::renew_leases() { repository_.renew_inbox(held_rows(), owner_, settings_.lease); }

void InboxProcessor::process(const InboxRow& row, const std::optional<ChannelRecord>& channel) {
  if (!channel) return;  // deleted: its rows went with it
  if (channel->kind == "whatsapp" || channel->kind == "instagram") return process_whatsapp(row, *channel);
  auto update = telegram::parse_update(row.payload);
  if (update && update->has_callback && callback_) {
    callback_(*channel, *update);
    close(row.id, "done", "");
    return;
  }
  if (!update || !update->has_message) {
    close(row.id, "done", "ignored: not a message");
    return;
  }
  if (update->chat_type != "private") {
    close(row.id, "done", "ignored: not a private chat");
    return;
  }
  auto text = truncate_code_points(common::trim(update->text), kMaxTextCodePoints);
  if (text.empty()) {
    close(row.id, "done", "ignored: no text");
    return;
  }
  const std::string chat_id = std::to_string(update->chat_id);
  const std::string visitor_id =
      "telegram:" + std::to_string(update->from_id ? update->from_id : update->chat_id);
  auto name = truncate_code_points(update->display_name, 100);
  post_inbound(row, *channel, chat_id, visitor_id, name, "tg-" + std::to_string(update->update_id),
               text, true);
}

void InboxProcessor::process_whatsapp(const InboxRow& row, const ChannelRecord& channel) {
  auto message = whatsapp::parse_stored_message(row.payload);
  if (!message) {
    close(row.id, "done", "ignored: malformed");
    return;
  }
  auto text = truncate_code_points(common::trim(message->text), kMaxTextCodePoints);
  if (message->type != "text" || text.empty()) {
    close(row.id, "done", "ignored: not a text message");
    return;
  }
  const bool whatsapp = channel.kind == "whatsapp";
  auto fallback_name = whatsapp ? "+" + message->from : "Instagram user " + message->from;
  auto name = truncate_code_points(message->name.empty() ? fallback_name : message->name, 100);
  // client_id is at most 64 characters and wamids are longer: a BLAKE2b-128 digest of the wamid.
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(message->id.data()),
                     message->id.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  post_inbound(row, channel, message->from, channel.kind + ":" + message->from, name,
               std::string(whatsapp ? "wa-" : "ig-") + hex, text, false);
}

void InboxProcessor::post_inbound(const InboxRow& row, const ChannelRecord& channel_record,
                                  const std::string& chat_id, const std::string& visitor_id,
                                  const std::string& name, const std::string& client_id,
                                  const std::string& text, bool typing) {
  const auto* channel = &channel_record;
  auto conversation_id = repository_.conversation_for_chat(*channel, chat_id, visitor_id, name);

  chat::v1::PostMessageRequest request;
  request.set_tenant_id(channel->tenant_id);
  request.set_conversation_id(conversation_id);
  request.set_client_id(client_id);
  auto* sender = request.mutable_sender();
  sender->set_kind(common::v1::SENDER_KIND_VISITOR);
  sender->set_id(visitor_id);
  sender->set_name(name);
  request.set_text(text);
  try {
    auto posted = chat_.post_message(request);
    repository_.inbox_posted(row.id, posted.message().id(), settings_.lease);
    // The row stays its chat's head, renewed, until the pipeline is done with the message. A
    // duplicate was posted by a replica that died before it marked the row: its pipeline run
    // died with it, so the reply is looked for (and asked for) now, not a lease later.
    if (posted.duplicate()) {
      redeliver(row.id, true);
    } else {
      await_reply(row.id, posted.message().id());
    }
    if (typing && typing_ && !posted.duplicate()) typing_(*channel, chat_id, conversation_id);
  } catch (const rpc::StatusError& e) {
    if (e.code() == grpc::StatusCode::RESOURCE_EXHAUSTED || e.code() == grpc::StatusCode::INVALID_ARGUMENT ||
        e.code() == grpc::StatusCode::NOT_FOUND) {
      finish(row.id, "failed", e.what());
      log_->info("inbox row {} refused: {}", row.id, e.what());
      return;
    }
    throw;
  }
}

void InboxProcessor::recover(const InboxRow& row) { redeliver(row.id, row.attempts <= 1); }

void InboxProcessor::redeliver(std::int64_t inbox_id, bool again) {
  auto p = repository_.posted_inbound(inbox_id);
  if (!p) return;  // finished meanwhile
  if (p->replied) {
    finish(p->inbox_id, "done", "");
  } else if (!again) {
    finish(p->inbox_id, "done", "no reply after recovery");
  } else {
    log_->warn("conversation {} message {} has no reply: handing it to the pipeline again",
               p->conversation_id, p->seq);
    if (await_reply(p->inbox_id, p->message_id)) return;
    pipeline_.on_visitor_message(VisitorMessage{p->tenant_id, p->bot_id, p->conversation_id,
                                                p->message_id, p->seq, p->text,
                                                common::v1::SENDER_KIND_VISITOR, p->sender_id,
                                                "" /* a channel: never cancelled */});
  }
}

}  // namespace botfactory::channel
