#include "chat_model_provider.hpp"

#include <algorithm>
#include <set>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/sse/sse_parser.hpp"
#include "prompt_builder.hpp"

namespace botfactory::ai {
namespace {

using Read = http::Response::Read;
constexpr std::size_t kMaxErrorBody = 16 << 10;

[[noreturn]] void fail(grpc::StatusCode code, const std::string& message, std::string details = {}) {
  throw rpc::StatusError(code, message, std::move(details));
}

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

}  // namespace

ChatModelProvider::ChatModelProvider(std::shared_ptr<const ChatWire> wire, std::shared_ptr<http::Client> client,
                                     std::shared_ptr<KnowledgeSearch> search, ChatModelSettings settings)
    : wire_(std::move(wire)), client_(std::move(client)), search_(std::move(search)), settings_(std::move(settings)) {}

bool ChatModelProvider::can_answer(const GenerateInput& input) const {
  return !input.api_key.empty() || !settings_.api_key.empty();
}

const char* ChatModelProvider::blocked_text(const std::string& language) {
  if (language == "ru") return "Извините, на этот вопрос я не могу ответить.";
  if (language == "uz") return "Kechirasiz, bu savolga javob bera olmayman.";
  return "Sorry, I can't help with that request.";
}

void ChatModelProvider::generate(const GenerateInput& input, const DeltaSink& on_delta, FinalReply& out) {
  out = FinalReply{};
  out.provider = name();
  const std::string& key = input.api_key.empty() ? settings_.api_key : input.api_key;
  if (key.empty()) fail(grpc::StatusCode::FAILED_PRECONDITION, "no API key for provider " + name());
  auto hits = search_->search(input.tenant_id, input.bot_id, input.user_text, settings_.top_k);
  auto prompt = build_prompt(input, hits);
  redact_secret(prompt, key);  // a key pasted into a document or message never reaches the model
  out.model = input.model.empty() ? settings_.default_model : input.model;

  auto request = wire_->request(prompt, out.model, input.temperature, settings_.max_output_tokens, key);
  // Never past the deadline of the gRPC call being served (deadlines propagate).
  auto total = settings_.total_timeout;
  if (auto deadline = common::current_call_deadline()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::system_clock::now());
    total = std::clamp(left, std::chrono::milliseconds(1), total);
  }
  request.connect_timeout = std::min(settings_.connect_timeout, total);
  request.first_byte_timeout = std::min(settings_.first_token_timeout, total);
  request.total_timeout = total;
  auto response = client_->start(std::move(request));
  auto log = common::logger("providers");

  sse::Parser parser;
  std::string piece, error_body;
  bool complete = false, blocked = false, gone = false, stopped = false;
  std::string stream_error;
  auto deliver = [&](std::string_view text) {
    if (gone || !on_delta(text)) gone = true;
  };
  auto on_event = [&](const sse::Event& event) {
    if (gone || stopped || !stream_error.empty()) return;
    WireEvent parsed;
    try {
      parsed = wire_->parse_event(event.data);
    } catch (const std::exception&) {
      stream_error = "malformed event";
      return;
    }
    if (!parsed.error.empty()) {
      stream_error = parsed.error;
      return;
    }
    if (!parsed.text.empty()) {
      if (out.text.size() + parsed.text.size() > settings_.max_reply_bytes) {
        stopped = true;  // enough: end the reply here
        complete = true;
        return;
      }
      out.text += parsed.text;
      deliver(parsed.text);
    }
    if (parsed.usage) out.usage = *parsed.usage;
    if (parsed.blocked) blocked = true;
    if (parsed.done || !parsed.finish_reason.empty()) complete = true;
  };

  auto wait = std::chrono::milliseconds(100);
  Read result;
  while (true) {
    result = response->read(piece, wait);
    if (input.is_cancelled && input.is_cancelled()) gone = true;
    if (gone) {
      response->cancel();
      fail(grpc::StatusCode::CANCELLED, "client went away");
    }
    if (auto abandoned = common::call_abandoned()) {
      response->cancel();
      throw common::CallAbandoned(*abandoned);
    }
    if (result == Read::kWaiting) continue;
    if (result != Read::kData) break;
    if (response->status() != 200) {
      if (error_body.size() < kMaxErrorBody) error_body.append(piece.substr(0, kMaxErrorBody - error_body.size()));
      continue;
    }
    if (!parser.feed(piece, on_event)) stream_error = parser.error();
    if (gone) continue;  // handled at the top of the loop
    if (!stream_error.empty() || stopped) {
      response->cancel();
      break;
    }
  }

  long status = response->status();
  if (result == Read::kFailed && !stopped && !complete && stream_error.empty()) {
    auto failure = response->failure();
    log->warn("{} request failed: {} ({})", name(), http::failure_name(failure), common::json_escape(response->message()));
    switch (failure) {
      case http::Failure::kConnectTimeout:
        fail(grpc::StatusCode::DEADLINE_EXCEEDED, "model provider connect timeout");
      case http::Failure::kFirstByteTimeout:
        fail(grpc::StatusCode::DEADLINE_EXCEEDED, "the model did not start answering in time");
      case http::Failure::kTimeout:
        fail(grpc::StatusCode::DEADLINE_EXCEEDED, "the model did not finish answering in time");
      case http::Failure::kCancelled:
        fail(grpc::StatusCode::CANCELLED, "model request cancelled");
      default:
        if (status == 200 && !out.text.empty()) fail(grpc::StatusCode::UNAVAILABLE, "the model's reply was cut off");
        fail(grpc::StatusCode::UNAVAILABLE, "model provider unavailable");
    }
  }
  if (status != 200) {
    // Error messages of 401/403 may quote part of the key: never logged.
    bool key_error = status == 401 || status == 403;
    auto message = key_error ? std::string() : api_error_message(error_body);
    log->warn("{} answered HTTP {}{}{}", name(), status, message.empty() ? "" : ": ", common::json_escape(message));
    if (status == 429) {
      // Retry-After as delta-seconds; without one (or an HTTP-date) the caller is told 30 s.
      auto seconds = parse_retry_after(response->header("retry-after"));
      if (seconds < 0) seconds = 30;
      seconds = std::min<long>(seconds, 86400);
      rpc::throw_rate_limited("the model provider is rate limiting; retry after " + std::to_string(seconds) + " s",
                              static_cast<int>(seconds));
    }
    if (key_error) fail(grpc::StatusCode::FAILED_PRECONDITION, "the model provider refused the API key (HTTP " + std::to_string(status) + ")");
    if (status == 400 || status == 404) {
      fail(grpc::StatusCode::FAILED_PRECONDITION,
           "the model provider refused the request (HTTP " + std::to_string(status) + ")" + (message.empty() ? "" : ": " + message));
    }
    fail(grpc::StatusCode::UNAVAILABLE, "model provider failed (HTTP " + std::to_string(status) + ")");
  }
  if (!stream_error.empty()) {
    log->warn("{} stream error: {}", name(), common::json_escape(stream_error));
    fail(grpc::StatusCode::UNAVAILABLE, "model provider failed mid-reply");
  }
  if (!complete && !blocked) fail(grpc::StatusCode::UNAVAILABLE, "the model's reply was cut off");

  if (blocked) {
    std::string refusal = (out.text.empty() ? "" : "\n\n") + std::string(blocked_text(input.language));
    out.text += refusal;
    deliver(refusal);
    if (gone) fail(grpc::StatusCode::CANCELLED, "client went away");
  }
  out.answered = !hits.empty() && !blocked;
  if (out.answered) {
    auto numbers = cited(out.text, hits.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
      if (!numbers.empty() && !numbers.count(i + 1)) continue;
      out.sources.push_back({hits[i].document_id, hits[i].document_title, hits[i].chunk_id, hits[i].score});
    }
  }
}

}  // namespace botfactory::ai
