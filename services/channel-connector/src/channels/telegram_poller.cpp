#include "channels/telegram_poller.hpp"

#include "botfactory/common/logging.hpp"
#include "channels/channel_credentials.hpp"
#include "channels/telegram_client.hpp"
#include "channels/telegram_wire.hpp"

namespace botfactory::channel {

TelegramPoller::TelegramPoller(ChannelRepository& repository, std::shared_ptr<const crypto::SecretBox> box,
                               telegram::BotApiClient& telegram, InboxWaker& inbox,
                               PollerSettings settings, std::string owner)
    : repository_(repository),
      box_(std::move(box)),
      telegram_(telegram),
      inbox_(inbox),
      settings_(settings),
      owner_(std::move(owner)),
      log_(common::logger("poller")) {}

TelegramPoller::~TelegramPoller() { stop(); }

void TelegramPoller::start() {
  if (box_ && !thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void TelegramPoller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  polls_.clear();  // cancels what is in flight
}

void TelegramPoller::loop() {
  auto next_refresh = std::chrono::steady_clock::now();
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_refresh) {
      try {
        refresh();
      } catch (const std::exception& e) {
        log_->warn("reading polling channels failed: {}", e.what());
      }
      next_refresh = now + settings_.refresh;
    }
    bool busy = false;
    for (auto& [id, poll] : polls_) {
      try {
        busy = step(poll, now) || busy;
      } catch (const std::exception& e) {
        log_->warn("channel {}: poll step failed: {}", id, e.what());
        poll.response.reset();
        poll.not_before = now + settings_.error_pause;
      }
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    // No push interface yet: look at every transfer often enough for a chat's latency.
    wake_.wait_for(lock, std::chrono::milliseconds(busy ? 1 : 20), [&] { return stopping_; });
    if (stopping_) return;
  }
}

void TelegramPoller::refresh() {
  auto channels = repository_.lease_polling(owner_, settings_.lease);
  for (auto& [id, poll] : polls_) poll.seen = false;
  std::size_t count = 0;
  for (auto& channel : channels) {
    if (++count > settings_.max_channels) break;
    auto it = polls_.find(channel.id);
    if (it == polls_.end()) {
      Poll poll;
      try {
        poll.token = open_credentials(*box_, channel.credentials).token;
      } catch (const std::exception& e) {
        log_->error("channel {}: credentials do not open: {}", channel.id, e.what());
        continue;
      }
      poll.channel = channel;
      it = polls_.emplace(channel.id, std::move(poll)).first;
    } else {
      // Keep our own offset (it may be ahead of a row read mid-transaction), refresh the rest.
      auto offset = std::max(it->second.channel.poll_offset, channel.poll_offset);
      it->second.channel = channel;
      it->second.channel.poll_offset = offset;
    }
    it->second.seen = true;
  }
  std::erase_if(polls_, [](const auto& entry) { return !entry.second.seen; });
}

bool TelegramPoller::step(Poll& poll, std::chrono::steady_clock::time_point now) {
  if (!poll.response) {
    if (now < poll.not_before) return false;
    poll.body.clear();
    poll.response = telegram_.start(
        poll.token, "getUpdates",
        telegram::get_updates_body(poll.channel.poll_offset, settings_.timeout_s, 100),
        telegram::CallTimeouts{std::chrono::milliseconds(5000),
                               std::chrono::seconds(settings_.timeout_s + 10)});
    return true;
  }
  std::string chunk;
  bool progressed = false;
  for (;;) {
    auto read = poll.response->read(chunk, std::chrono::milliseconds(0));
    if (read == http::Response::Read::kData) {
      if (poll.body.size() < (8u << 20)) poll.body += chunk;
      progressed = true;
      continue;
    }
    if (read == http::Response::Read::kWaiting) return progressed;
    complete(poll, poll.response->status(),
             read == http::Response::Read::kEnd ? http::Failure::kNone : poll.response->failure());
    poll.response.reset();
    return true;
  }
}

void TelegramPoller::complete(Poll& poll, long status, http::Failure failure) {
  using Kind = telegram::CallResult::Kind;
  auto result = telegram::BotApiClient::classify(status, poll.body, failure,
                                                 failure == http::Failure::kNone ? "" : http::failure_name(failure));
  auto now = std::chrono::steady_clock::now();
  if (result.kind != Kind::kOk) {
    auto why = "getUpdates: " + telegram::describe(result);
    if (result.kind == Kind::kUnauthorized) {
      repository_.set_state(poll.channel.id, "error", "Telegram refused the bot token (" + why + ")");
      poll.channel.state = "error";  // the next good poll sets "connected" again
      poll.not_before = now + settings_.token_pause;
    } else {
      if (status == 409) {
        repository_.set_state(poll.channel.id, "error", why);
        poll.channel.state = "error";  // the next good poll sets "connected" again
      }
      poll.not_before = now + std::max(settings_.error_pause,
                                       std::chrono::milliseconds(result.retry_after_s * 1000));
    }
    log_->warn("channel {}: {}", poll.channel.id, why);
    return;
  }
  auto updates = telegram::split_updates(result.result);
  if (poll.channel.state != "connected") {
    repository_.set_state(poll.channel.id, "connected", "");
    poll.channel.state = "connected";
  }
  if (updates.empty()) return;
  std::vector<ChannelRepository::InboundUpdate> rows;
  std::int64_t next = poll.channel.poll_offset;
  for (auto& u : updates) {
    next = std::max(next, u.update_id + 1);
    auto parsed = telegram::parse_update(u.json);
    std::string chat = parsed ? telegram::chat_key(*parsed) : std::string();
    rows.push_back({std::to_string(u.update_id), std::move(u.json), std::move(chat)});
  }
  repository_.store_polled(poll.channel.id, rows, next);
  poll.channel.poll_offset = next;
  inbox_.wake();
}

}  // namespace botfactory::channel
