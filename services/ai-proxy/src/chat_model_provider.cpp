#include "chat_model_provider.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <set>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/sse/sse_parser.hpp"
#include "prompt_builder.hpp"

namespace botfactory::ai {
namespace {

using SystemClock = std::chrono::system_clock;
constexpr std::size_t kMaxErrorBody = 16 << 10;
constexpr std::size_t kMaxUnaryBody = 1 << 20;

/// The 1-based passage numbers cited as "[n]" in `text` (n ≤ count).
std::set<std::size_t> cited(const std::string& text, std::size_t count) {
  std::set<std::size_t> numbers;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '[') continue;
    std::size_t j = i + 1, n = 0;
    while (j < text.size() && j - i <= 3 && text[j] >= '0' && text[j] <= '9') n = n * 10 + static_cast<std::size_t>(text[j++] - '0');
    if (j < text.size() && text[j] == ']' && j > i + 1 && n >= 1 && n <= count) numbers.insert(n);
  }
  return numbers;
}

/// Seconds of a Retry-After header given as delta-seconds (RFC 9110 §10.2.3); -1 otherwise.
long parse_retry_after(const std::string& value) {
  if (value.empty() || value.size() > 9) return -1;
  long s = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return -1;
    s = s * 10 + (c - '0');
  }
  return s;
}

double jitter() {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

ModelFailure failure_of(grpc::StatusCode code, std::string message, const char* reason) {
  ModelFailure f;
  f.code = code;
  f.message = std::move(message);
  f.fallback_reason = reason;
  return f;
}

}  // namespace

/// One reply stream: attempts (with retries) through the push interface. Everything but
/// cancel() runs on the HTTP client's event thread (or the starting thread before the first
/// request is out).
class ModelStream final : public ReplyStream, public std::enable_shared_from_this<ModelStream> {
 public:
  ModelStream(ChatModelProvider& provider, ModelCall call, std::shared_ptr<ReplyObserver> observer)
      : provider_(provider), call_(std::move(call)), observer_(std::move(observer)) {
    const auto& settings = provider_.settings_;
    auto own_deadline = SystemClock::now() + settings.total_timeout;
    deadline_ = std::min(call_.deadline, own_deadline);
    if (call_.model.empty()) call_.model = settings.default_model;
    if (call_.max_output_tokens <= 0) call_.max_output_tokens = settings.max_output_tokens;
    if (call_.api_key.empty()) call_.api_key = settings.api_key;
    wire_ = call_.base_url.empty() ? provider_.wire_ : provider_.wire_->with_base_url(call_.base_url);
    unary_ = !settings.stream && wire_->has_unary();
    if (provider_.breakers_) breaker_ = provider_.breakers_->get(provider_.name(), call_.api_key, call_.base_url);
  }

  /// Builds the request and sends the first attempt; failures go to the observer.
  void start() {
    try {
      template_ = unary_ ? wire_->request_unary(call_.prompt, call_.model, call_.temperature, call_.max_output_tokens, call_.api_key)
                         : wire_->request(call_.prompt, call_.model, call_.temperature, call_.max_output_tokens, call_.api_key);
    } catch (const rpc::StatusError& e) {
      finish_failure(failure_of(e.code(), e.what(), "provider_refused"));
      return;
    }
    // A tenant-supplied base URL is untrusted (SSRF): public addresses only unless the operator
    // allows private ones; the operator's configured base URL may point anywhere.
    template_.allow_private_addresses = call_.base_url.empty() || provider_.settings_.tenant_private_addresses;
    attempt(std::chrono::milliseconds(0));
  }

  void cancel() override {
    std::shared_ptr<http::Call> call;
    {
      std::lock_guard lock(mutex_);
      if (cancelled_) return;
      cancelled_ = true;
      call = current_;
    }
    if (call) call->cancel();
  }

 private:
  std::chrono::milliseconds time_left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SystemClock::now());
  }

  void attempt(std::chrono::milliseconds delay) {
    if (breaker_ && !breaker_->allow(common::CircuitBreaker::Clock::now())) {
      // A retry refused by the breaker ends with the failure that opened it.
      finish_failure(attempt_ > 0 ? last_failure_
                                  : failure_of(grpc::StatusCode::UNAVAILABLE, "the model provider is failing; circuit open",
                                               "circuit_open"));
      return;
    }
    auto left = time_left() - delay;
    if (left <= std::chrono::milliseconds(0)) {
      if (breaker_) breaker_->abandon();
      finish_failure(failure_of(grpc::StatusCode::DEADLINE_EXCEEDED, "the model did not finish answering in time", "provider_unavailable"));
      return;
    }
    reset_attempt();
    auto request = template_;
    const auto& settings = provider_.settings_;
    request.start_after = delay;
    request.total_timeout = left;
    request.connect_timeout = std::min(settings.connect_timeout, left);
    request.first_byte_timeout = std::min(settings.first_token_timeout, left);
    auto self = shared_from_this();
    http::StreamCallbacks callbacks;
    callbacks.on_head = [self](long status, const http::Headers& headers) { self->on_head(status, headers); };
    callbacks.on_body = [self](std::string_view bytes) { self->on_body(bytes); };
    callbacks.on_complete = [self](http::Failure failure, const std::string& message) { self->on_complete(failure, message); };
    bool cancelled;
    {
      std::lock_guard lock(mutex_);
      cancelled = cancelled_;
      if (!cancelled) current_ = provider_.client_->start(std::move(request), std::move(callbacks));
    }
    if (cancelled) {  // outside the lock: the observer takes its own
      if (breaker_) breaker_->abandon();
      finish_failure(failure_of(grpc::StatusCode::CANCELLED, "client went away", ""));
    }
  }

  void reset_attempt() {
    parser_ = sse::Parser();
    status_ = 0;
    retry_after_ = -1;
    error_body_.clear();
    body_.clear();
    complete_ = blocked_ = stopped_ = false;
    stream_error_.clear();
    usage_ = TokenUsage{};
  }

  void on_head(long status, const http::Headers& headers) {
    status_ = status;
    if (auto it = headers.find("retry-after"); it != headers.end()) retry_after_ = parse_retry_after(it->second);
  }

  void on_body(std::string_view bytes) {
    if (stopped_ || !stream_error_.empty()) return;
    if (status_ != 200) {
      if (error_body_.size() < kMaxErrorBody) error_body_.append(bytes.substr(0, kMaxErrorBody - error_body_.size()));
      return;
    }
    if (unary_) {
      if (body_.size() + bytes.size() > kMaxUnaryBody) {
        stream_error_ = "reply too large";
      } else {
        body_.append(bytes);
      }
    } else if (!parser_.feed(bytes, [this](const sse::Event& event) { on_event(event.data); })) {
      stream_error_ = parser_.error();
    }
    if (!stream_error_.empty() || stopped_) stop_request();
  }

  void stop_request() {
    std::lock_guard lock(mutex_);
    if (current_) current_->cancel();
  }

  void on_event(std::string_view data) {
    if (stopped_ || !stream_error_.empty()) return;
    WireEvent parsed;
    try {
      parsed = wire_->parse_event(data);
    } catch (const std::exception&) {
      stream_error_ = "malformed event";
      return;
    }
    if (!parsed.error.empty()) {
      stream_error_ = parsed.error;
      return;
    }
    if (!parsed.text.empty()) {
      if (text_.size() + parsed.text.size() > provider_.settings_.max_reply_bytes) {
        stopped_ = true;  // enough: end the reply here
        complete_ = true;
        return;
      }
      text_ += parsed.text;
      text_delivered_ = true;
      observer_->on_text(parsed.text);
    }
    if (parsed.usage) usage_ = *parsed.usage;
    if (parsed.blocked) blocked_ = true;
    if (parsed.done || !parsed.finish_reason.empty()) complete_ = true;
  }

  void on_complete(http::Failure failure, const std::string& message) {
    bool cancelled;
    {
      std::lock_guard lock(mutex_);
      cancelled = cancelled_;
      current_.reset();
    }
    if (unary_ && failure == http::Failure::kNone && status_ == 200 && stream_error_.empty()) on_event(body_);
    auto log = common::logger("providers");
    const auto& name = provider_.wire_->name();
    bool success = stream_error_.empty() && (stopped_ || ((complete_ || blocked_) && (failure == http::Failure::kNone)));
    if (success && status_ == 200) {
      if (breaker_) provider_.breakers_->record(name, *breaker_, false);
      finish_reply();
      return;
    }
    if (cancelled) {
      if (breaker_) breaker_->abandon();
      finish_failure(failure_of(grpc::StatusCode::CANCELLED, "client went away", ""));
      return;
    }
    ModelFailure f;
    bool transport_failure = false;
    if (failure != http::Failure::kNone && stream_error_.empty() && (status_ == 200 || status_ == 0)) {
      transport_failure = true;
      log->warn("{} request failed: {} ({})", name, http::failure_name(failure), common::json_escape(message));
      switch (failure) {
        case http::Failure::kConnectTimeout:
          f = failure_of(grpc::StatusCode::DEADLINE_EXCEEDED, "model provider connect timeout", "provider_unavailable");
          break;
        case http::Failure::kFirstByteTimeout:
          f = failure_of(grpc::StatusCode::DEADLINE_EXCEEDED, "the model did not start answering in time", "provider_unavailable");
          break;
        case http::Failure::kTimeout:
          f = failure_of(grpc::StatusCode::DEADLINE_EXCEEDED, "the model did not finish answering in time", "provider_unavailable");
          break;
        case http::Failure::kBlockedAddress:
          transport_failure = false;  // the tenant's URL, not a failing provider
          f = failure_of(grpc::StatusCode::FAILED_PRECONDITION, "the provider base URL resolves to a private address",
                         "provider_refused");
          break;
        case http::Failure::kOverloaded:
          transport_failure = false;  // our own bound, not the provider's fault
          f = failure_of(grpc::StatusCode::UNAVAILABLE, "too many model requests in flight", "provider_unavailable");
          break;
        default:
          f = failure_of(grpc::StatusCode::UNAVAILABLE,
                         status_ == 200 && !text_.empty() ? "the model's reply was cut off" : "model provider unavailable",
                         "provider_unavailable");
      }
    } else if (status_ != 200 && status_ != 0) {
      // Error messages of 401/403 may quote part of the key: never logged.
      bool key_error = status_ == 401 || status_ == 403;
      auto detail = key_error ? std::string() : api_error_message(error_body_);
      log->warn("{} answered HTTP {}{}{}", name, status_, detail.empty() ? "" : ": ", common::json_escape(detail));
      auto code = std::to_string(status_);
      if (status_ == 429) {
        long seconds = retry_after_ < 0 ? 30 : std::min<long>(retry_after_, 86400);
        f = failure_of(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       "the model provider is rate limiting; retry after " + std::to_string(seconds) + " s", "provider_rate_limited");
        f.retry_after_s = static_cast<int>(std::max<long>(seconds, 1));
      } else if (key_error) {
        f = failure_of(grpc::StatusCode::FAILED_PRECONDITION, "the model provider refused the API key (HTTP " + code + ")", "provider_refused");
      } else if (status_ == 400 || status_ == 404) {
        f = failure_of(grpc::StatusCode::FAILED_PRECONDITION,
                       "the model provider refused the request (HTTP " + code + ")" + (detail.empty() ? "" : ": " + detail),
                       "provider_refused");
      } else {
        transport_failure = status_ >= 500 || status_ == 408;
        f = failure_of(grpc::StatusCode::UNAVAILABLE, "model provider failed (HTTP " + code + ")", "provider_unavailable");
      }
    } else if (!stream_error_.empty()) {
      transport_failure = true;
      log->warn("{} stream error: {}", name, common::json_escape(stream_error_));
      f = failure_of(grpc::StatusCode::UNAVAILABLE, "model provider failed mid-reply", "provider_unavailable");
    } else {
      transport_failure = true;
      f = failure_of(grpc::StatusCode::UNAVAILABLE, "the model's reply was cut off", "provider_unavailable");
    }
    if (breaker_) provider_.breakers_->record(name, *breaker_, transport_failure);

    AttemptOutcome outcome;
    outcome.failure = stream_error_.empty() ? failure : http::Failure::kTransport;
    outcome.status = stream_error_.empty() ? status_ : 200;
    outcome.retry_after_s = retry_after_;
    outcome.text_delivered = text_delivered_;
    if (auto delay = retry_delay(provider_.settings_.retry, outcome, attempt_, time_left(), jitter())) {
      ++attempt_;
      last_failure_ = f;
      metrics::Registry::global()
          .counter("botfactory_ai_retries_total", "Model requests tried again (before the first token)",
                   "provider=\"" + name + "\"")
          .inc();
      log->info("{} retry {} in {} ms", name, attempt_, delay->count());
      attempt(*delay);
      return;
    }
    f.after_text = text_delivered_;
    finish_failure(f);
  }

  void finish_reply() {
    FinalReply out;
    out.provider = provider_.wire_->name();
    out.model = call_.model;
    out.usage = usage_;
    out.text = text_;
    if (blocked_) {
      std::string refusal = (text_.empty() ? "" : "\n\n") + std::string(ChatModelProvider::blocked_text(call_.language));
      out.text += refusal;
      observer_->on_text(refusal);
    }
    const auto& hits = call_.hits;
    out.answered = !hits.empty() && !blocked_;
    if (out.answered) {
      // The text (already streamed) cites [n] = passage n, and clients read [n] as sources[n-1]
      // (docs/protocol.md): keep passages 1..highest cited so the numbers stay true.
      auto numbers = cited(out.text, hits.size());
      std::size_t last = numbers.empty() ? hits.size() : *numbers.rbegin();
      for (std::size_t i = 0; i < last; ++i) {
        out.sources.push_back({hits[i].document_id, hits[i].document_title, hits[i].chunk_id, hits[i].score});
      }
    }
    auto observer = std::move(observer_);
    observer->on_reply(std::move(out));
  }

  void finish_failure(const ModelFailure& failure) {
    auto observer = std::move(observer_);
    if (observer) observer->on_failure(failure);
  }

  ChatModelProvider& provider_;
  ModelCall call_;
  std::shared_ptr<ReplyObserver> observer_;
  std::shared_ptr<const ChatWire> wire_;
  std::shared_ptr<common::CircuitBreaker> breaker_;
  bool unary_ = false;
  SystemClock::time_point deadline_;
  http::Request template_;
  int attempt_ = 0;
  ModelFailure last_failure_;  // of the attempt before a retry
  std::string text_;
  bool text_delivered_ = false;

  // The attempt in flight (event thread).
  sse::Parser parser_;
  long status_ = 0;
  long retry_after_ = -1;
  std::string error_body_, body_, stream_error_;
  bool complete_ = false, blocked_ = false, stopped_ = false;
  TokenUsage usage_;

  // Recursive: a client being destroyed completes a request inside start().
  std::recursive_mutex mutex_;
  bool cancelled_ = false;               // guarded by mutex_
  std::shared_ptr<http::Call> current_;  // guarded by mutex_
};

ChatModelProvider::ChatModelProvider(std::shared_ptr<const ChatWire> wire, std::shared_ptr<http::Client> client,
                                     std::shared_ptr<KnowledgeSearch> search, ChatModelSettings settings,
                                     std::shared_ptr<ProviderBreakers> breakers)
    : wire_(std::move(wire)),
      client_(std::move(client)),
      search_(std::move(search)),
      settings_(std::move(settings)),
      breakers_(std::move(breakers)) {}

bool ChatModelProvider::can_answer(const GenerateInput& input) const {
  return !input.api_key.empty() || !settings_.api_key.empty();
}

const char* ChatModelProvider::blocked_text(const std::string& language) {
  if (language == "ru") return "Извините, на этот вопрос я не могу ответить.";
  if (language == "uz") return "Kechirasiz, bu savolga javob bera olmayman.";
  return "Sorry, I can't help with that request.";
}

std::shared_ptr<ReplyStream> ChatModelProvider::stream(ModelCall call, std::shared_ptr<ReplyObserver> observer) {
  auto stream = std::make_shared<ModelStream>(*this, std::move(call), std::move(observer));
  stream->start();
  return stream;
}

void throw_model_failure(const ModelFailure& failure) {
  if (failure.code == grpc::StatusCode::RESOURCE_EXHAUSTED && failure.retry_after_s > 0) {
    rpc::throw_rate_limited(failure.message, failure.retry_after_s);
  }
  throw rpc::StatusError(failure.code, failure.message);
}

namespace {

/// Collects a stream's events for a thread that waits (ChatModelProvider::generate()).
class WaitingObserver final : public ReplyObserver {
 public:
  void on_text(std::string_view text) override {
    std::lock_guard lock(mutex_);
    texts_.emplace_back(text);
    changed_.notify_all();
  }
  void on_reply(FinalReply reply) override {
    std::lock_guard lock(mutex_);
    reply_ = std::move(reply);
    done_ = true;
    changed_.notify_all();
  }
  void on_failure(const ModelFailure& failure) override {
    std::lock_guard lock(mutex_);
    failure_ = failure;
    done_ = true;
    changed_.notify_all();
  }

  /// Waits up to `wait` and moves out what came; true when the stream ended.
  bool take(std::chrono::milliseconds wait, std::deque<std::string>& texts) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [&] { return done_ || !texts_.empty(); });
    texts.swap(texts_);  // every text comes before the end: all of it is taken
    return done_;
  }

  FinalReply reply_;
  std::optional<ModelFailure> failure_;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> texts_;
  bool done_ = false;
};

}  // namespace

void ChatModelProvider::generate(const GenerateInput& input, const DeltaSink& on_delta, FinalReply& out) {
  out = FinalReply{};
  out.provider = name();
  const std::string& key = input.api_key.empty() ? settings_.api_key : input.api_key;
  if (key.empty()) throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, "no API key for provider " + name());
  ModelCall call;
  call.hits = search_->search(input.tenant_id, input.bot_id, input.user_text, settings_.top_k);
  call.prompt = build_prompt(input, call.hits);
  call.model = input.model;
  call.temperature = input.temperature;
  call.api_key = key;
  call.language = input.language;
  if (auto deadline = common::current_call_deadline()) call.deadline = *deadline;

  auto observer = std::make_shared<WaitingObserver>();
  auto running = stream(std::move(call), observer);
  bool gone = false;
  std::deque<std::string> texts;
  while (true) {
    bool ended = observer->take(std::chrono::milliseconds(100), texts);
    for (const auto& text : texts) {
      if (!gone && !on_delta(text)) gone = true;
    }
    texts.clear();
    if (input.is_cancelled && input.is_cancelled()) gone = true;
    if (gone) {
      running->cancel();
      throw rpc::StatusError(grpc::StatusCode::CANCELLED, "client went away");
    }
    if (auto abandoned = common::call_abandoned()) {
      running->cancel();
      throw common::CallAbandoned(*abandoned);
    }
    if (ended) break;
  }
  if (observer->failure_) throw_model_failure(*observer->failure_);
  out = std::move(observer->reply_);
}

}  // namespace botfactory::ai
