#include "channel_inbox.hpp"

#include <sodium.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "botfactory/common/logging.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat_service.hpp"
#include "telegram_wire.hpp"
#include "whatsapp_wire.hpp"
#include "validation.hpp"

namespace botfactory::channel {

InboxProcessor::InboxProcessor(ChannelRepository& repository, ChatService& chat,
                               VisitorMessageListener& pipeline, InboxSettings settings,
                               TypingHook typing)
    : repository_(repository),
      chat_(chat),
      pipeline_(pipeline),
      settings_(settings),
      typing_(std::move(typing)),
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
    if (handled == 0) {
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
  return update && update->has_message ? std::to_string(update->chat_id) : std::string();
}

bool InboxProcessor::has_held() const {
  std::lock_guard lock(held_mutex_);
  return !held_.empty();
}

void InboxProcessor::hold(const ChannelRecord& channel, const std::vector<std::int64_t>& ids) {
  {
    std::lock_guard lock(held_mutex_);
    held_.emplace(channel.id, channel.tenant_id);
  }
  repository_.inbox_release(ids);
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
  auto rows = repository_.claim_inbox(settings_.batch, settings_.lease, skip);
  // One channel lookup per channel and pass (without the outbox counts), not one per row.
  std::unordered_map<std::string, std::optional<ChannelRecord>> channels;
  std::vector<std::vector<const InboxRow*>> groups;
  std::vector<std::vector<const std::optional<ChannelRecord>*>> group_channels;
  std::unordered_map<std::string, std::size_t> group_of;
  std::unordered_set<std::string> unreadable;  // lookup failed: the channel's rows wait (order)
  for (const auto& row : rows) {
    if (unreadable.count(row.channel_id) > 0) continue;
    auto found = channels.find(row.channel_id);
    if (found == channels.end()) {
      std::optional<ChannelRecord> record;
      try {
        record = repository_.get_core(row.channel_id);
      } catch (const std::exception& e) {
        log_->warn("inbox row {} not processed yet: {}", row.id, e.what());
        unreadable.insert(row.channel_id);
        continue;  // the lease brings this channel's rows back, in order
      }
      found = channels.emplace(row.channel_id, std::move(record)).first;
    }
    auto chat = found->second ? inbox_chat_key(row, found->second->kind) : std::string();
    // Unparsed rows are their own group (they are only marked done/ignored).
    auto key = chat.empty() ? "#" + std::to_string(row.id) : row.channel_id + '\n' + chat;
    auto [it, added] = group_of.emplace(key, groups.size());
    if (added) {
      groups.emplace_back();
      group_channels.emplace_back();
    }
    groups[it->second].push_back(&row);
    group_channels[it->second].push_back(&found->second);
  }
  if (!pool_ || groups.size() <= 1) {
    for (std::size_t g = 0; g < groups.size(); ++g) process_group(groups[g], group_channels[g]);
  } else {
    // Fan out, then wait for every group: the next pass may hold later rows of these chats.
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::size_t left = groups.size();
    auto finished = [&] {
      std::lock_guard lock(done_mutex);
      if (--left == 0) done_cv.notify_all();
    };
    // Counts the group as finished however process_group leaves (it catches std::exception).
    struct Finish {
      decltype(finished)& f;
      ~Finish() { f(); }
    };
    for (std::size_t g = 0; g < groups.size(); ++g) {
      bool taken = pool_->try_submit([&, g] {
        Finish finish{finished};
        process_group(groups[g], group_channels[g]);
      });
      if (!taken) finished();  // shutting down: the lease brings the rows back
    }
    std::unique_lock lock(done_mutex);
    done_cv.wait(lock, [&] { return left == 0; });
  }
  auto now = std::chrono::steady_clock::now();
  int recovered = 0;
  if (now >= next_recovery_) {
    next_recovery_ = now + std::min(settings_.recovery_after, std::chrono::milliseconds(5000));
    recovered = recover();
  }
  return static_cast<int>(rows.size()) + recovered;
}

void InboxProcessor::process_group(const std::vector<const InboxRow*>& rows,
                                   const std::vector<const std::optional<ChannelRecord>*>& channels) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;  // unprocessed rows are retried when their lease ends
    }
    try {
      const auto& channel = *channels[i];
      if (room_ && channel && !room_(channel->tenant_id)) {
        std::vector<std::int64_t> rest;
        for (std::size_t j = i; j < rows.size(); ++j) rest.push_back(rows[j]->id);
        hold(*channel, rest);
        return;
      }
      process(*rows[i], channel);
    } catch (const std::exception& e) {
      // Left pending with the rest of this chat: the lease makes them come back later, in order
      // (database or Redis trouble).
      log_->warn("inbox row {} not processed yet ({} more of its chat wait): {}", rows[i]->id,
                 rows.size() - i - 1, e.what());
      return;
    }
  }
}

void InboxProcessor::process(const InboxRow& row, const std::optional<ChannelRecord>& channel) {
  if (!channel) return;  // deleted: its rows went with it
  if (channel->kind == "whatsapp" || channel->kind == "instagram") return process_whatsapp(row, *channel);
  auto update = telegram::parse_update(row.payload);
  if (!update || !update->has_message) {
    repository_.inbox_finished(row.id, "done", "ignored: not a message");
    return;
  }
  if (update->chat_type != "private") {
    repository_.inbox_finished(row.id, "done", "ignored: not a private chat");
    return;
  }
  auto text = truncate_code_points(common::trim(update->text), kMaxTextCodePoints);
  if (text.empty()) {
    repository_.inbox_finished(row.id, "done", "ignored: no text");
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
    repository_.inbox_finished(row.id, "done", "ignored: malformed");
    return;
  }
  auto text = truncate_code_points(common::trim(message->text), kMaxTextCodePoints);
  if (message->type != "text" || text.empty()) {
    repository_.inbox_finished(row.id, "done", "ignored: not a text message");
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
    repository_.inbox_posted(row.id, posted.message().id());
    if (typing && typing_ && !posted.duplicate()) typing_(*channel, chat_id, conversation_id);
  } catch (const rpc::StatusError& e) {
    if (e.code() == grpc::StatusCode::RESOURCE_EXHAUSTED || e.code() == grpc::StatusCode::INVALID_ARGUMENT ||
        e.code() == grpc::StatusCode::NOT_FOUND) {
      repository_.inbox_finished(row.id, "failed", e.what());
      log_->info("inbox row {} refused: {}", row.id, e.what());
      return;
    }
    throw;
  }
}

int InboxProcessor::recover() {
  auto stale = repository_.stale_posted(settings_.recovery_after, 50);
  for (const auto& p : stale) {
    if (p.replied) {
      repository_.inbox_finished(p.inbox_id, "done", "");
    } else if (p.attempts >= 1) {
      repository_.inbox_finished(p.inbox_id, "done", "no reply after recovery");
    } else {
      log_->warn("conversation {} message {} has no reply: handing it to the pipeline again",
                 p.conversation_id, p.seq);
      repository_.inbox_retouched(p.inbox_id);
      pipeline_.on_visitor_message(VisitorMessage{p.tenant_id, p.bot_id, p.conversation_id,
                                                  p.message_id, p.seq, p.text,
                                                  common::v1::SENDER_KIND_VISITOR, p.sender_id,
                                                  "" /* a channel: never cancelled */});
    }
  }
  return static_cast<int>(stale.size());
}

}  // namespace botfactory::channel
