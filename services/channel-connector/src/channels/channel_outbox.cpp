#include "channels/channel_outbox.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "channels/channel_credentials.hpp"
#include "channels/telegram_client.hpp"
#include "channels/telegram_text.hpp"
#include "channels/telegram_wire.hpp"
#include "channels/whatsapp_client.hpp"
#include "channels/whatsapp_wire.hpp"
#include "channels/instagram_wire.hpp"
#include "pipeline/bot_phrases.hpp"

namespace botfactory::channel {
namespace {

std::vector<CitedSource> sources_from_json(const std::string& text) {
  std::vector<CitedSource> out;
  if (text.empty()) return out;
  boost::system::error_code error;
  auto value = boost::json::parse(text, error);
  if (error || !value.is_array()) return out;
  for (const auto& entry : value.get_array()) {
    if (!entry.is_object()) continue;
    const auto& o = entry.get_object();
    auto member = [&](const char* key) -> std::string {
      const auto* v = o.if_contains(key);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    out.push_back(CitedSource{member("document_id"), member("document_title")});
  }
  return out;
}

}  // namespace

OutboxSender::OutboxSender(ChannelRepository& repository, std::shared_ptr<const crypto::SecretBox> box,
                           telegram::BotApiClient& telegram, OutboxSettings settings,
                           metrics::Registry& registry, SendRateGate* rates)
    : repository_(repository),
      box_(std::move(box)),
      telegram_(telegram),
      settings_(settings),
      own_limiter_(settings.rates),
      limiter_(rates ? *rates : own_limiter_),
      log_(common::logger("outbox")),
      sent_(registry.counter("channel_outbound_sent_total", "Channel messages delivered")),
      retried_(registry.counter("channel_outbound_retried_total",
                                "Channel deliveries rescheduled (network, 5xx, 429)")),
      failed_(registry.counter("channel_outbound_failed_total",
                               "Channel messages given up on (4xx, blocked chat, attempts)")) {}

OutboxSender::~OutboxSender() { stop(); }

void OutboxSender::start() {
  if (thread_.joinable()) return;
  pool_ = std::make_unique<WorkerPool>(settings_.workers, settings_.workers * 4, "outbox");
  typing_pool_ = std::make_unique<WorkerPool>(1, kTypingQueue, "typing");
  thread_ = std::thread([this] { loop(); });
}

void OutboxSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (typing_pool_) typing_pool_->shutdown();
  if (pool_) pool_->shutdown();
}

void OutboxSender::on_outbound(const std::string& conversation_id) {
  if (!conversation_id.empty()) claim_owed_ = true;  // a new row
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
    if (!conversation_id.empty()) typing_.erase(conversation_id);  // the reply is stored
  }
  wake_.notify_one();
}

std::chrono::milliseconds OutboxSender::backoff(int attempts, int retry_after_s) const {
  if (retry_after_s > 0) return std::chrono::milliseconds(std::int64_t{retry_after_s} * 1000);
  auto delay = settings_.backoff_base;
  for (int i = 0; i < attempts && delay < settings_.backoff_max; ++i) delay *= 2;
  return std::min(delay, settings_.backoff_max);
}

void OutboxSender::loop() {
  for (;;) {
    int free = static_cast<int>(settings_.workers) - in_flight_.load();
    int claimed = 0;
    bool full = false;  // the claim took as many as it asked for: there may be more
    if (free > 0) {
      try {
        claim_owed_ = false;
        auto jobs = repository_.claim_outbox(free, settings_.lease, owner_);
        claimed = static_cast<int>(jobs.size());
        full = claimed == free;
        if (full) claim_owed_ = true;
        for (auto& job : jobs) {
          ++in_flight_;
          auto id = job.id;
          sending_.add(id);
          bool taken = pool_->try_submit([this, job = std::move(job)] {
            bool more = true;  // anything but a plain "sent": claim again
            try {
              deliver(job, more);
            } catch (const std::exception& e) {
              // Not renewed any more: claimed again after one lease.
              log_->warn("outbox row {}: delivery interrupted: {}", job.id, e.what());
            }
            sending_.remove(job.id);
            --in_flight_;
            // A claim only when it may find something: the conversation's next row, rows queued
            // since the last claim (unclaimed while every worker was busy), or a full last claim.
            if (more || claim_owed_.load()) on_outbound("");
          });
          if (!taken) {  // shutting down: the lease brings it back later
            sending_.remove(id);
            --in_flight_;
          }
        }
      } catch (const std::exception& e) {
        log_->warn("outbox claim failed: {}", e.what());
      }
    }
    auto typing_due = repeat_typing();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    // A claim that took fewer than it asked for took every due row there was: wait for a wake
    // (new row, a conversation's head sent) or the poll.
    if (!full || in_flight_.load() >= static_cast<int>(settings_.workers)) {
      auto until = std::chrono::steady_clock::now() + settings_.idle_poll;
      if (limiter_due_ && *limiter_due_ < until) until = *limiter_due_;
      if (typing_due && *typing_due < until) until = *typing_due;
      wake_.wait_until(lock, until, [&] { return woken_ || stopping_; });
    }
    if (limiter_due_ && *limiter_due_ <= std::chrono::steady_clock::now()) limiter_due_.reset();
    woken_ = false;
    if (stopping_) return;
  }
}

void OutboxSender::note_limiter_wait(std::chrono::milliseconds wait) {
  // 5 ms after the row's due time: the database's clock and ours tick apart a little.
  auto due = std::chrono::steady_clock::now() + wait + std::chrono::milliseconds(5);
  std::lock_guard lock(mutex_);
  if (!limiter_due_ || due < *limiter_due_) limiter_due_ = due;
}

int OutboxSender::run_once_inline() {
  auto jobs = repository_.claim_outbox(static_cast<int>(settings_.workers), settings_.lease, owner_);
  for (const auto& job : jobs) {
    sending_.add(job.id);
    bool more = true;
    try {
      deliver(job, more);
    } catch (...) {
      sending_.remove(job.id);
      throw;
    }
    sending_.remove(job.id);
  }
  return static_cast<int>(jobs.size());
}

void OutboxSender::renew_leases() { repository_.renew_outbox(sending_.snapshot(), owner_, settings_.lease); }

void OutboxSender::send_typing(const ChannelRecord& channel, const std::string& chat_id,
                               const std::string& conversation_id) {
  if (!box_ || !typing_pool_) return;
  if (!conversation_id.empty() && settings_.typing_repeats > 0) {
    std::lock_guard lock(mutex_);
    if (typing_.size() < kTypingQueue || typing_.count(conversation_id)) {
      typing_[conversation_id] = TypingRepeat{channel.id, channel.credentials, chat_id,
                                              settings_.typing_repeats,
                                              std::chrono::steady_clock::now() + settings_.typing_interval};
    }
  }
  submit_typing(channel.id, channel.credentials, chat_id, "");
}

std::optional<std::chrono::steady_clock::time_point> OutboxSender::repeat_typing() {
  struct Due {
    std::string conversation_id, channel_id;
    crypto::SealedValue sealed;
    std::string chat_id;
  };
  std::vector<Due> due;
  std::optional<std::chrono::steady_clock::time_point> next;
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    for (auto it = typing_.begin(); it != typing_.end();) {
      auto& r = it->second;
      if (r.next <= now) {
        due.push_back(Due{it->first, r.channel_id, r.sealed, r.chat_id});
        r.next = now + settings_.typing_interval;
        if (--r.left <= 0) {
          it = typing_.erase(it);
          continue;
        }
      }
      if (!next || r.next < *next) next = r.next;
      ++it;
    }
  }
  for (const auto& d : due) submit_typing(d.channel_id, d.sealed, d.chat_id, d.conversation_id);
  return next;
}

void OutboxSender::submit_typing(const std::string& channel_id, const crypto::SealedValue& sealed,
                                 const std::string& chat_id, const std::string& conversation_id) {
  if (!typing_pool_) return;
  typing_pool_->try_submit([this, sealed, chat_id, id = channel_id, conversation_id] {
    try {
      // A repeat only while the reply is still owed (the bot handles the chat, the customer's
      // message is the last one): a reply stored, an operator's takeover or message ends it.
      if (!conversation_id.empty() && !repository_.awaiting_bot_reply(conversation_id)) {
        std::lock_guard lock(mutex_);
        typing_.erase(conversation_id);
        return;
      }
      auto credentials = open_credentials(*box_, sealed);
      auto result = telegram_.call(credentials.token, "sendChatAction",
                                   telegram::send_chat_action_body(chat_id, "typing"),
                                   telegram::CallTimeouts{std::chrono::milliseconds(3000),
                                                          std::chrono::milliseconds(5000)});
      if (result.kind != telegram::CallResult::Kind::kOk) {
        log_->debug("channel {}: sendChatAction failed: {}", id, telegram::describe(result));
      }
    } catch (const std::exception& e) {
      log_->debug("channel {}: sendChatAction skipped: {}", id, e.what());
    }
  });
}

void OutboxSender::deliver(const OutboxJob& job, bool& more) {
  using Kind = telegram::CallResult::Kind;
  auto channel = repository_.get_core(job.channel_id);
  if (!channel) return;  // disconnected: its rows are gone
  if (job.chat_inactive) {
    repository_.outbox_failed(job.id, "chat inactive: the customer blocked the bot");
    failed_.inc();
    return;
  }
  if (!box_) {
    repository_.outbox_retry(job.id, settings_.backoff_max, job.parts_sent, "channels not configured", false);
    return;
  }
  ChannelCredentials credentials;
  try {
    credentials = open_credentials(*box_, channel->credentials);
  } catch (const std::exception& e) {
    repository_.outbox_failed(job.id, "credentials do not open");
    repository_.set_state(channel->id, "error", "credentials do not open under CHANNEL_CREDENTIALS_SECRET");
    failed_.inc();
    return;
  }
  if (channel->kind == "whatsapp" || channel->kind == "instagram") return deliver_whatsapp(job, *channel, credentials);
  auto parts = split_message(render_with_sources(job.text, sources_from_json(job.sources_json), job.language));
  int part = std::clamp(job.parts_sent, 0, static_cast<int>(parts.size()));
  while (part < static_cast<int>(parts.size())) {
    // Booked here, on the worker, right before the request goes to the HTTP client: the slot's
    // time is the send's time (nothing waits between them).
    // tgrate: the rating buttons go under the reply's last part.
    const bool last = part + 1 == static_cast<int>(parts.size());
    telegram::RatingButtons buttons{job.rate_seq, rating_up_label(job.language),
                                    rating_down_label(job.language), ""};
    const bool rated = settings_.ratings && job.rate_seq > 0 && last;
    auto body = telegram::send_message_body(job.external_chat_id, parts[static_cast<std::size_t>(part)],
                                            rated ? &buttons : nullptr);
    auto wait = limiter_.reserve(channel->id, job.external_chat_id);
    if (wait.count() > 0) {
      repository_.outbox_retry(job.id, wait, part, "", false);
      note_limiter_wait(wait);
      return;
    }
    auto result = telegram_.call(credentials.token, "sendMessage", std::move(body));
    limiter_.sent(channel->id, job.external_chat_id);
    if (result.kind == Kind::kOk) {
      ++part;
      continue;
    }
    std::string error = "sendMessage: " + telegram::describe(result);
    repository_.set_delivery_error(channel->id, error);
    if (result.kind == Kind::kRetry && job.attempts + 1 < settings_.max_attempts) {
      repository_.outbox_retry(job.id, backoff(job.attempts, result.retry_after_s), part, error, true);
      retried_.inc();
      log_->info("outbox row {}: retrying: {}", job.id, error);
      return;
    }
    if (result.kind == Kind::kBlocked) repository_.mark_chat_inactive(job.conversation_id);
    if (result.kind == Kind::kUnauthorized) {
      repository_.set_state(channel->id, "error", "Telegram refused the bot token: " + telegram::describe(result));
    }
    repository_.outbox_failed(job.id, error);
    failed_.inc();
    log_->warn("outbox row {}: given up: {}", job.id, error);
    return;
  }
  more = repository_.outbox_sent(job.id);
  if (!channel->last_delivery_error.empty()) {
    repository_.clear_delivery_error(channel->id, channel->last_delivery_error_at_us);
  }
  sent_.inc();
}

void OutboxSender::deliver_whatsapp(const OutboxJob& job, const ChannelRecord& channel,
                                    const ChannelCredentials& credentials) {
  using Kind = whatsapp::SendResult::Kind;
  if (!whatsapp_) {
    repository_.outbox_retry(job.id, settings_.backoff_max, job.parts_sent, "WhatsApp is not configured", false);
    return;
  }
  auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto window_us = std::chrono::duration_cast<std::chrono::microseconds>(kWhatsAppWindow).count();
  const std::string closed =
      "window_closed: not sent, the 24-hour customer-service window is closed (the customer's last "
      "message is older than 24 h; outside it Meta accepts only template messages): the customer has "
      "to write first, then replay it";
  if (job.customer_last_message_us == 0 || now_us - job.customer_last_message_us > window_us) {
    repository_.outbox_window_closed(job.id, closed);
    repository_.set_delivery_error(channel.id, closed);
    failed_.inc();
    log_->info("outbox row {}: WhatsApp window closed, not sent", job.id);
    return;
  }
  const bool instagram = channel.kind == "instagram";
  auto parts = split_message(render_with_sources(job.text, sources_from_json(job.sources_json), job.language),
                             instagram ? instagram::kMaxTextChars : whatsapp::kMaxTextChars);
  int part = std::clamp(job.parts_sent, 0, static_cast<int>(parts.size()));
  std::string last_id;
  while (part < static_cast<int>(parts.size())) {
    auto wait = limiter_.reserve(channel.id, job.external_chat_id);
    if (wait.count() > 0) {
      repository_.outbox_retry(job.id, wait, part, "", false);
      note_limiter_wait(wait);
      return;
    }
    const auto& text = parts[static_cast<std::size_t>(part)];
    auto result = instagram ? whatsapp_->send_instagram_text(channel.external_id, credentials.access_token,
                                                             job.external_chat_id, text)
                            : whatsapp_->send_text(channel.external_id, credentials.access_token,
                                                   job.external_chat_id, text);
    limiter_.sent(channel.id, job.external_chat_id);
    if (result.kind == Kind::kOk) {
      last_id = result.message_id;
      ++part;
      continue;
    }
    std::string error = "messages: " + whatsapp::describe(result);
    if (result.kind == Kind::kWindowClosed) {
      repository_.outbox_window_closed(job.id, closed + " (" + error + ")");
      repository_.set_delivery_error(channel.id, closed);
      failed_.inc();
      return;
    }
    repository_.set_delivery_error(channel.id, error);
    if (result.kind == Kind::kRetry && job.attempts + 1 < settings_.max_attempts) {
      repository_.outbox_retry(job.id, backoff(job.attempts, 0), part, error, true);
      retried_.inc();
      log_->info("outbox row {}: retrying: {}", job.id, error);
      return;
    }
    if (result.kind == Kind::kUnauthorized) {
      repository_.set_state(channel.id, "error", "Meta refused the access token: " + whatsapp::describe(result));
    }
    repository_.outbox_failed(job.id, error);
    failed_.inc();
    log_->warn("outbox row {}: given up: {}", job.id, error);
    return;
  }
  repository_.outbox_sent(job.id, last_id);
  if (!channel.last_delivery_error.empty()) {
    repository_.clear_delivery_error(channel.id, channel.last_delivery_error_at_us);
  }
  sent_.inc();
}

}  // namespace botfactory::channel
