#include "ai_service.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

#include <grpcpp/alarm.h>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/internal_auth.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat_model_provider.hpp"
#include "delta_window.hpp"
#include "extractive_provider.hpp"
#include "language_detect.hpp"
#include "prompt_builder.hpp"
#include "small_talk.hpp"

namespace botfactory::ai {
namespace {

constexpr std::size_t kMaxUserTextChars = 4000;
using Response = ai::v1::GenerateResponse;

Sender sender_from(common::v1::SenderKind kind) {
  switch (kind) {
    case common::v1::SENDER_KIND_BOT:
      return Sender::kBot;
    case common::v1::SENDER_KIND_OPERATOR:
      return Sender::kOperator;
    default:
      return Sender::kVisitor;
  }
}

/// The status rpc::guard() makes of what `body` throws (retry hints kept).
template <typename Body>
grpc::Status status_of(Body&& body) {
  return rpc::guard("Generate", std::forward<Body>(body));
}

void count_reply(const FinalReply& reply, const std::string& fallback_reason,
                 std::chrono::steady_clock::time_point started) {
  auto& registry = metrics::Registry::global();
  registry
      .counter("botfactory_ai_replies_total", "Generated replies by provider and outcome",
               "provider=\"" + reply.provider + "\",answered=\"" + (reply.answered ? "true" : "false") + "\"")
      .inc();
  if (!fallback_reason.empty()) {
    registry
        .counter("botfactory_ai_fallbacks_total", "Replies answered by extractive instead of the bot's provider, by reason",
                 "reason=\"" + fallback_reason + "\"")
        .inc();
  }
  if (reply.usage.prompt_tokens > 0 || reply.usage.completion_tokens > 0) {
    registry
        .counter("botfactory_ai_tokens_total", "Model tokens by provider and kind",
                 "provider=\"" + reply.provider + "\",kind=\"prompt\"")
        .inc(static_cast<std::uint64_t>(reply.usage.prompt_tokens));
    registry
        .counter("botfactory_ai_tokens_total", "Model tokens by provider and kind",
                 "provider=\"" + reply.provider + "\",kind=\"completion\"")
        .inc(static_cast<std::uint64_t>(reply.usage.completion_tokens));
  }
  registry
      .histogram("botfactory_ai_generate_seconds", "Generate latency in seconds (whole stream)",
                 metrics::latency_buckets())
      .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

class GenerateReactor;

/// The caller's x-request-id metadata (at most 128 bytes), "" without one.
std::string request_id_of(const grpc::CallbackServerContext& context) {
  auto it = context.client_metadata().find("x-request-id");
  if (it == context.client_metadata().end()) return {};
  return std::string(it->second.data(), std::min<std::size_t>(it->second.size(), 128));
}

/// The state of one Generate call, shared by the reactor (until OnDone), the worker jobs and
/// the model stream. Writes to the reactor happen outside `mutex_`, one at a time.
class GenerateCall final : public ReplyObserver, public std::enable_shared_from_this<GenerateCall> {
 public:
  GenerateCall(std::shared_ptr<const AiProxyDeps> deps, ai::v1::GenerateRequest request,
               std::chrono::system_clock::time_point deadline, std::string request_id, GenerateReactor* reactor)
      : deps_(std::move(deps)),
        request_(std::move(request)),
        deadline_(deadline),
        request_id_(std::move(request_id)),
        reactor_(reactor),
        window_(deps_->delta_flush) {}

  /// Queues the preparation on a worker; false when the pool is full.
  bool start() {
    auto self = shared_from_this();
    return deps_->workers->try_submit([self] { self->prepare(); });
  }

  // ReplyObserver (the HTTP client's event thread).
  void on_text(std::string_view text) override { push_text(text); }
  void on_reply(FinalReply reply) override { finish_ok(std::move(reply), ""); }
  void on_failure(const ModelFailure& failure) override {
    if (failure.code == grpc::StatusCode::CANCELLED) {
      finish_error(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    if (!failure.after_text && fallback_) {
      auto self = shared_from_this();
      auto reason = failure.fallback_reason.empty() ? std::string("provider_unavailable") : failure.fallback_reason;
      if (deps_->workers->try_submit([self, reason] { self->run_extractive(reason); })) return;
    }
    finish_error(status_of([&] { throw_model_failure(failure); }));
  }

  void on_write_done(bool ok) {
    std::unique_lock lock(mutex_);
    writing_ = false;
    if (!ok) cancelled_ = true;
    next(lock);
  }

  void on_cancel() {
    std::shared_ptr<ReplyStream> stream;
    {
      std::unique_lock lock(mutex_);
      if (!cancelled_ && !finished_) {
        metrics::Registry::global()
            .counter("botfactory_ai_generate_cancelled_total",
                     "Generate calls cancelled by the caller (gone, deadline, or channel-connector "
                     "cancelling a reply nobody reads); the model's HTTP stream is aborted at once")
            .inc();
      }
      cancelled_ = true;
      stream = stream_;
      next(lock);
    }
    if (stream) stream->cancel();
  }

  void on_done() {
    std::shared_ptr<ReplyStream> stream;
    std::unique_ptr<grpc::Alarm> alarm;
    {
      std::lock_guard lock(mutex_);
      reactor_ = nullptr;
      cancelled_ = true;
      stream = std::move(stream_);
      alarm = std::move(alarm_);
    }
    if (stream) stream->cancel();
    alarm.reset();  // cancels a pending flush; outside the lock (its callback takes it)
  }

  /// Ends the call with `status` (from the reactor's thread, before any work started).
  void finish_error(grpc::Status status) {
    std::unique_lock lock(mutex_);
    if (!error_ && !final_) error_ = std::move(status);
    next(lock);
  }

 private:
  bool cancelled() {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

  void push_text(std::string_view text) {
    std::unique_lock lock(mutex_);
    if (finished_ || cancelled_) return;
    pending_.append(text);
    next(lock);
  }

  void finish_ok(FinalReply reply, const std::string& fallback_reason) {
    count_reply(reply, fallback_reason, started_);
    Response event;
    auto* out = event.mutable_final();
    out->set_text(reply.text);
    out->set_provider(reply.provider);
    out->set_answered(reply.answered);
    out->set_model(reply.model);
    out->mutable_usage()->set_prompt_tokens(reply.usage.prompt_tokens);
    out->mutable_usage()->set_completion_tokens(reply.usage.completion_tokens);
    out->set_fallback_reason(fallback_reason);
    for (const auto& source : reply.sources) {
      auto* s = out->add_sources();
      s->set_document_id(source.document_id);
      s->set_document_title(source.document_title);
      s->set_chunk_id(source.chunk_id);
      s->set_score(source.score);
    }
    std::unique_lock lock(mutex_);
    if (!error_ && !final_) final_ = std::move(event);
    next(lock);
  }

  /// Starts the next write or the finish, if any is due and none is in flight. Unlocks.
  void next(std::unique_lock<std::mutex>& lock);

  /// Calls next() at `until` on gRPC's alarm (no thread of its own). Under mutex_; none armed.
  void arm_flush(std::chrono::steady_clock::time_point until, std::chrono::steady_clock::time_point now) {
    alarm_armed_ = true;
    alarm_ = std::make_unique<grpc::Alarm>();  // the previous one has fired: nothing to cancel
    alarm_->Set(std::chrono::system_clock::now() + (until - now), [weak = weak_from_this()](bool) {
      auto self = weak.lock();
      if (!self) return;
      std::unique_lock lock(self->mutex_);
      self->alarm_armed_ = false;
      self->next(lock);
    });
  }

  /// Worker: configuration, retrieval, gate, prompt; then the model stream or an answer.
  void prepare() {
    common::ScopedCallDeadline scope(deadline_, [this] { return cancelled(); });
    common::ScopedRequestId id(request_id_);  // in log lines and forwarded to the registry
    auto status = status_of([&] {
      if (cancelled()) return;
      auto input = input_from_request(request_);
      if (request_.tokens_exhausted()) {
        run_extractive_now(input, "token_allowance_exhausted");
        return;
      }
      if (!deps_->configs || input.provider == "extractive") {
        auto& provider = deps_->providers->resolve(input);
        run_now(provider, input, "");
        return;
      }
      auto config = deps_->configs->model_config(input.tenant_id, input.bot_id);
      fallback_ = config.fallback_to_extractive;
      if (config.provider == "extractive") {
        run_extractive_now(input, "");
        return;
      }
      if (config.effective_answerer == "extractive") {
        run_extractive_now(input, "no_key");
        return;
      }
      auto* model = dynamic_cast<ChatModelProvider*>(&deps_->providers->resolve(config.provider));
      if (!model) {
        run_extractive_now(input, "provider_unavailable");
        return;
      }
      input.provider = config.provider;
      input.model = config.model;
      input.temperature = config.temperature;
      ModelCall call;
      call.hits = deps_->search->search(input.tenant_id, input.bot_id, input.user_text, model->settings().top_k);
      const auto language = reply_language(detect_language(input.user_text), input.language);
      if (classify_small_talk(input.user_text) == SmallTalk::kNone) {
        bool relevant = false;
        if (!call.hits.empty()) {
          auto index = pick_hit_in_language(call.hits, language);
          relevant = passes_gate(measure_relevance(input.user_text, call.hits, index, language), deps_->gate);
        }
        if (!relevant) {  // out of knowledge: "I don't know" without asking the model
          FinalReply reply;
          reply.provider = config.provider;
          reply.text = ExtractiveProvider::dont_know_text(language);
          push_text(reply.text);
          finish_ok(std::move(reply), "");
          return;
        }
      }
      call.prompt = build_prompt(input, call.hits);
      redact_secret(call.prompt, config.api_key);  // the key in use never reaches the model as data
      call.model = config.model;
      call.temperature = config.temperature;
      call.max_output_tokens = config.max_output_tokens;
      call.api_key = config.api_key;
      call.base_url = config.base_url;
      call.language = language;
      call.deadline = deadline_;
      auto stream = model->stream(std::move(call), shared_from_this());
      bool cancel_now;
      {
        std::lock_guard lock(mutex_);
        stream_ = stream;
        cancel_now = cancelled_;
      }
      if (cancel_now) stream->cancel();  // outside the lock: the stream takes its own
    });
    if (!status.ok()) finish_error(status);
  }

  /// Worker: the extractive answer after a model failure.
  void run_extractive(const std::string& reason) {
    common::ScopedCallDeadline scope(deadline_, [this] { return cancelled(); });
    common::ScopedRequestId id(request_id_);
    auto status = status_of([&] {
      auto input = input_from_request(request_);
      run_extractive_now(input, reason);
    });
    if (!status.ok()) finish_error(status);
  }

  void run_extractive_now(GenerateInput& input, const std::string& reason) {
    run_now(deps_->providers->resolve("extractive"), input, reason);
  }

  /// Runs a blocking provider on this (worker) thread. Throws as the provider does.
  void run_now(Provider& provider, GenerateInput& input, const std::string& reason) {
    input.is_cancelled = [this] { return cancelled(); };
    FinalReply reply;
    provider.generate(
        input,
        [this](std::string_view delta) {
          push_text(delta);
          return !cancelled();
        },
        reply);
    if (cancelled()) throw rpc::StatusError(grpc::StatusCode::CANCELLED, "client went away");
    finish_ok(std::move(reply), reason);
  }

  std::shared_ptr<const AiProxyDeps> deps_;
  const ai::v1::GenerateRequest request_;
  const std::chrono::system_clock::time_point deadline_;
  const std::string request_id_;  // the caller's x-request-id ("" = none)
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<bool> fallback_{true};

  std::mutex mutex_;
  GenerateReactor* reactor_;  // null after OnDone (guarded by mutex_)
  std::string pending_;       // text not written yet
  bool writing_ = false;      // a write is in flight
  bool finished_ = false;     // Finish / WriteAndFinish was called
  bool cancelled_ = false;
  std::optional<Response> final_;
  std::optional<grpc::Status> error_;
  Response out_;  // the message of the write in flight
  std::shared_ptr<ReplyStream> stream_;
  DeltaWindow window_;                 // when held text goes out (AI_DELTA_FLUSH_MS)
  std::unique_ptr<grpc::Alarm> alarm_;  // the flush of held text
  bool alarm_armed_ = false;
};

/// The gRPC reactor: forwards its events to the shared GenerateCall; deletes itself in OnDone.
class GenerateReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  GenerateReactor(std::shared_ptr<const AiProxyDeps> deps, grpc::CallbackServerContext* context,
                  const ai::v1::GenerateRequest& request)
      : call_(std::make_shared<GenerateCall>(std::move(deps), request, context->deadline(), request_id_of(*context), this)) {
    // The internal-auth interceptor replaces the status of a refused call, but a callback
    // handler runs anyway: refuse before any work (rpc/internal_auth.hpp).
    const auto& metadata = context->client_metadata();
    auto token = metadata.find(rpc::kInternalTokenMetadata);
    if (token == metadata.end() || !rpc::is_internal_token(std::string_view(token->second.data(), token->second.size()))) {
      call_->finish_error(rpc::internal_call_refusal_status());
      return;
    }
    if (common::utf8_length(request.user_text()) > kMaxUserTextChars) {
      call_->finish_error(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "user_text must be at most 4000 characters"));
      return;
    }
    if (!call_->start()) {
      metrics::Registry::global()
          .counter("botfactory_ai_refused_total", "Generate calls refused: the worker queue was full")
          .inc();
      call_->finish_error(status_of([] { rpc::throw_retry_later(grpc::StatusCode::RESOURCE_EXHAUSTED, "ai-proxy is busy; retry later", 1); }));
    }
  }

  void OnWriteDone(bool ok) override { call_->on_write_done(ok); }
  void OnCancel() override { call_->on_cancel(); }
  void OnDone() override {
    call_->on_done();
    delete this;
  }

 private:
  std::shared_ptr<GenerateCall> call_;
};

void GenerateCall::next(std::unique_lock<std::mutex>& lock) {
  GenerateReactor* reactor = reactor_;
  if (writing_ || finished_ || reactor == nullptr) return;
  if (cancelled_) {
    finished_ = true;
    lock.unlock();
    reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
    return;
  }
  if (!pending_.empty()) {
    const auto now = std::chrono::steady_clock::now();
    if (auto hold = window_.hold_until(now, final_.has_value() || error_.has_value())) {
      if (!alarm_armed_) arm_flush(*hold, now);
      return;
    }
    window_.wrote(now);
    writing_ = true;
    out_.set_delta(std::move(pending_));
    pending_.clear();
    // Held text flushed because the final is ready: buffered, so it leaves in one transport
    // write with the final instead of a round of its own.
    grpc::WriteOptions options;
    if (final_) options.set_buffer_hint();
    lock.unlock();
    reactor->StartWrite(&out_, options);
    return;
  }
  if (final_) {
    finished_ = true;
    out_ = std::move(*final_);
    lock.unlock();
    // The final reply travels with the call's status: one transport write less.
    reactor->StartWriteAndFinish(&out_, grpc::WriteOptions(), grpc::Status::OK);
    return;
  }
  if (error_) {
    finished_ = true;
    auto status = *error_;
    lock.unlock();
    reactor->Finish(status);
  }
}

}  // namespace

GenerateInput input_from_request(const ai::v1::GenerateRequest& request) {
  GenerateInput input;
  input.tenant_id = request.tenant_id();
  input.bot_id = request.bot_id();
  input.conversation_id = request.conversation_id();
  const auto& language = request.language();
  input.language = (language == "ru" || language == "uz") ? language : "en";
  input.instructions = request.instructions();
  input.provider = request.provider().provider();
  input.model = request.provider().model();
  input.temperature = request.provider().temperature();
  input.history.reserve(static_cast<std::size_t>(request.history_size()));
  for (const auto& turn : request.history()) input.history.push_back({sender_from(turn.sender()), turn.text()});
  input.user_text = request.user_text();
  return input;
}

AiProxyService::AiProxyService(AiProxyDeps deps) : deps_(std::make_shared<const AiProxyDeps>(std::move(deps))) {}

grpc::ServerWriteReactor<ai::v1::GenerateResponse>* AiProxyService::Generate(grpc::CallbackServerContext* context,
                                                                            const ai::v1::GenerateRequest* request) {
  return new GenerateReactor(deps_, context, *request);
}

}  // namespace botfactory::ai
