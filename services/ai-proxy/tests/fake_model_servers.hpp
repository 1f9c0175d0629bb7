#pragma once
// Fake OpenAI-compatible and Gemini servers for tests (real sockets on 127.0.0.1:0, plain HTTP)
// that speak the documented streaming wire formats: OpenAI chat.completion.chunk events with a
// usage chunk and `data: [DONE]` (LF line ends); Gemini GenerateContentResponse events with
// usageMetadata (CRLF line ends, no end marker). Every stream is sent in 7-byte pieces, so
// events, lines, CRLF pairs and UTF-8 sequences are split across reads.
//
// The model name picks the behaviour:
//   anything else   the reply `reply` in a few text events, finish reason, usage (12 prompt,
//                   5 completion tokens)
//   "slow"          headers at once, the first event after 1.5 s
//   "hang"          one text event, then nothing for 5 s
//   "cut"           two text events, then the connection closes
//   "rate-limited"  429 with Retry-After: 7 and an error body
//   "broken"        500 with an error body
//   "missing"       404 "model does not exist"
//   "filtered"      OpenAI: finish_reason content_filter after one event;
//                   Gemini: one text event, then finishReason SAFETY
//   "blocked"       Gemini: promptFeedback.blockReason SAFETY and no candidates
//   "flaky"         500 for the first request of this server with this model, then the reply
//   "drip"          OpenAI: one event every 100 ms (many slow streams at once)
//   "endless"       OpenAI: one text event every 50 ms for up to 60 s; stops when a write fails
//                   (the client disconnected) and counts it in disconnects()
//   "busy"          429 without Retry-After (a quota error: not retried)
//   "naive"         a model that obeys any instruction it reads, at its worst: it "reveals its
//                   prompt", replying with everything it was given (system text, then every
//                   message, as naive_echo() joins them) in the normal stream (injection tests)
// Gemini also answers the non-streaming models/{model}:generateContent with one
// GenerateContentResponse (the whole reply, finishReason STOP, usageMetadata).
// A request without the expected key gets 401 with an error message quoting the key's start,
// as OpenAI's does. FakeOpenAi's `piece`, `pause` and `on_stream_end` shape the stream for
// benchmarks (bench/ai_proxy_stream.cpp); tests keep the defaults.

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "botfactory/testenv/http_test_server.hpp"

namespace botfactory::ai::test {

using testenv::HttpTestConnection;
using testenv::HttpTestRequest;
using testenv::HttpTestServer;

inline void send_in_pieces(HttpTestConnection& c, const std::string& bytes, std::size_t piece = 7) {
  for (std::size_t i = 0; i < bytes.size() && !c.closed(); i += piece) c.chunk(bytes.substr(i, piece));
}

inline std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    auto space = text.find(' ', start + 1);
    if (space == std::string::npos) space = text.size();
    words.push_back(text.substr(start, space - start));
    start = space;
  }
  return words;
}

/// Shared by both fakes: the scenarios that do not depend on the wire format.
/// Returns true when it answered.
inline bool answer_common(const std::string& model, HttpTestConnection& c, const std::string& error_status,
                          std::atomic<int>* flaky_seen = nullptr) {
  auto error = [&](int code, const std::string& message) {
    boost::json::object body{{"error", boost::json::object{{"code", code}, {"message", message}, {"status", error_status}}}};
    return boost::json::serialize(body);
  };
  if (model == "rate-limited") {
    c.respond(429, "application/json", error(429, "Rate limit reached; please try again in 7s"), {"Retry-After: 7"});
  } else if (model == "busy") {
    c.respond(429, "application/json", error(429, "You exceeded your current quota"));
  } else if (model == "flaky" && flaky_seen && flaky_seen->fetch_add(1) == 0) {
    c.respond(500, "application/json", error(500, "Temporary failure."));
  } else if (model == "broken") {
    c.respond(500, "application/json", error(500, "The server had an error while processing your request."));
  } else if (model == "missing") {
    c.respond(404, "application/json", error(404, "The model `missing` does not exist"));
  } else {
    return false;
  }
  return true;
}

/// The "naive" model's reply: every text of the request in order, one per line — OpenAI:
/// messages[].content; Gemini: systemInstruction.parts[].text, then contents[].parts[].text.
inline std::string naive_echo(const boost::json::object& body) {
  std::string out;
  auto add_parts = [&](const boost::json::value& holder) {
    if (!holder.is_object() || !holder.as_object().contains("parts")) return;
    for (const auto& part : holder.at("parts").as_array()) out += std::string(part.at("text").as_string()) + "\n";
  };
  if (const auto* messages = body.if_contains("messages")) {
    for (const auto& m : messages->as_array()) out += std::string(m.at("content").as_string()) + "\n";
  }
  if (const auto* system = body.if_contains("systemInstruction")) add_parts(*system);
  if (const auto* contents = body.if_contains("contents")) {
    for (const auto& c : contents->as_array()) add_parts(c);
  }
  return out;
}

/// POST /v1/chat/completions, `Authorization: Bearer <key>`.
class FakeOpenAi {
 public:
  explicit FakeOpenAi(std::string key = "sk-test-0123456789")
      : key_(std::move(key)), server_([this](const HttpTestRequest& r, HttpTestConnection& c) { handle(r, c); }) {}

  std::string reply = "Refunds are paid within 14 days of the return [1].";
  /// Bytes per HTTP chunk; 0 = one chunk per SSE event (as a model server writes them).
  std::size_t piece = 7;
  /// Pause between text events (a model producing tokens over time); 0 = none.
  std::chrono::milliseconds pause{0};
  /// Called on the connection's thread once a complete stream (through `data: [DONE]`) is sent.
  std::function<void()> on_stream_end;
  std::string base_url() const { return server_.base_url(); }
  std::vector<HttpTestRequest> requests() const { return server_.requests(); }
  int connections() const { return server_.connections(); }
  /// "endless" streams that ended because the client went away; text events they sent.
  int disconnects() const { return disconnects_.load(); }
  int endless_events() const { return endless_events_.load(); }

 private:
  static std::string event(const boost::json::value& value) { return "data: " + boost::json::serialize(value) + "\n\n"; }
  static boost::json::object chunk(const std::string& content, const char* finish) {
    boost::json::object delta;
    if (!content.empty()) delta["content"] = content;
    boost::json::object choice{{"index", 0}, {"delta", delta}};
    choice["finish_reason"] = finish ? boost::json::value(finish) : boost::json::value(nullptr);
    return {{"id", "chatcmpl-1"}, {"object", "chat.completion.chunk"}, {"model", "fake"},
            {"choices", boost::json::array{choice}}, {"usage", nullptr}};
  }

  void handle(const HttpTestRequest& r, HttpTestConnection& c) {
    if (r.target != "/v1/chat/completions" || r.method != "POST") {
      c.respond(404, "application/json", R"({"error":{"message":"Unknown request URL"}})");
      return;
    }
    if (r.headers.count("authorization") == 0 || r.headers.at("authorization") != "Bearer " + key_) {
      std::string given = r.headers.count("authorization") ? r.headers.at("authorization") : "";
      c.respond(401, "application/json",
                R"({"error":{"message":"Incorrect API key provided: )" + given.substr(7, 8) + R"(***","code":"invalid_api_key"}})");
      return;
    }
    auto body = boost::json::parse(r.body).as_object();
    std::string model(body.at("model").as_string());
    if (answer_common(model, c, "error", &flaky_)) return;
    c.start_chunks(200, "text/event-stream");
    if (model == "slow") c.sleep(std::chrono::milliseconds(1500));
    if (model == "endless") {
      for (int i = 0; i < 1200; ++i) {
        if (!c.chunk(event(chunk(i == 0 ? "Refunds" : " and", nullptr)))) {
          ++disconnects_;
          return;
        }
        ++endless_events_;
        c.sleep(std::chrono::milliseconds(50));
      }
      c.end_chunks();
      return;
    }
    std::string stream = ": keep-alive\n\n" + event(chunk("", nullptr));
    bool per_event = piece == 0 || pause.count() > 0;
    auto flush = [&] {
      send_in_pieces(c, stream, piece ? piece : std::max<std::size_t>(stream.size(), 1));
      stream.clear();
    };
    auto words = split_words(model == "naive" ? naive_echo(body) : reply);
    for (std::size_t i = 0; i < words.size(); ++i) {
      stream += event(chunk(words[i], nullptr));
      if (per_event) flush();
      if (pause.count() > 0 && i + 1 < words.size()) c.sleep(pause);
      if (model == "cut" && i == 1) {
        flush();
        c.close();
        return;
      }
      if (model == "hang") {
        flush();
        c.sleep(std::chrono::milliseconds(5000));
        c.close();
        return;
      }
      if (model == "filtered") {
        stream += event(chunk("", "content_filter"));
        break;
      }
      if (model == "drip") {
        flush();
        c.sleep(std::chrono::milliseconds(100));
      }
    }
    if (model != "filtered") stream += event(chunk("", "stop"));
    boost::json::object usage{{"id", "chatcmpl-1"}, {"object", "chat.completion.chunk"}, {"choices", boost::json::array{}},
                              {"usage", boost::json::object{{"prompt_tokens", 12}, {"completion_tokens", 5}, {"total_tokens", 17}}}};
    stream += event(usage) + "data: [DONE]\n\n";
    flush();
    if (on_stream_end && !c.closed()) on_stream_end();
    c.end_chunks();
  }

  std::string key_;
  std::atomic<int> flaky_{0};
  std::atomic<int> disconnects_{0};
  std::atomic<int> endless_events_{0};
  HttpTestServer server_;
};

/// POST /v1beta/models/{model}:streamGenerateContent?alt=sse, `x-goog-api-key: <key>`.
class FakeGemini {
 public:
  explicit FakeGemini(std::string key = "AIza-test-0123456789")
      : key_(std::move(key)), server_([this](const HttpTestRequest& r, HttpTestConnection& c) { handle(r, c); }) {}

  std::string reply = "Возврат выплачивается в течение 14 дней [1].";
  std::string base_url() const { return server_.base_url(); }
  std::vector<HttpTestRequest> requests() const { return server_.requests(); }

 private:
  static std::string event(const boost::json::value& value) { return "data: " + boost::json::serialize(value) + "\r\n\r\n"; }
  static boost::json::object response(const std::string& text, const char* finish, bool usage) {
    boost::json::object candidate{
        {"content", boost::json::object{{"role", "model"}, {"parts", boost::json::array{boost::json::object{{"text", text}}}}}},
        {"index", 0}};
    if (finish) candidate["finishReason"] = finish;
    boost::json::object out{{"candidates", boost::json::array{candidate}}, {"modelVersion", "fake"}};
    if (usage) {
      out["usageMetadata"] = boost::json::object{{"promptTokenCount", 12}, {"candidatesTokenCount", 5}, {"totalTokenCount", 17}};
    }
    return out;
  }

  void handle(const HttpTestRequest& r, HttpTestConnection& c) {
    const std::string prefix = "/v1beta/models/", unary_suffix = ":generateContent";
    if (r.method == "POST" && r.target.rfind(prefix, 0) == 0 && r.target.size() > prefix.size() + unary_suffix.size() &&
        r.target.compare(r.target.size() - unary_suffix.size(), unary_suffix.size(), unary_suffix) == 0) {
      handle_unary(r, c, r.target.substr(prefix.size(), r.target.size() - prefix.size() - unary_suffix.size()));
      return;
    }
    const std::string suffix = ":streamGenerateContent?alt=sse";
    if (r.method != "POST" || r.target.rfind(prefix, 0) != 0 || r.target.size() <= prefix.size() + suffix.size() ||
        r.target.compare(r.target.size() - suffix.size(), suffix.size(), suffix) != 0) {
      c.respond(404, "application/json", R"({"error":{"code":404,"message":"Not found","status":"NOT_FOUND"}})");
      return;
    }
    if (r.headers.count("x-goog-api-key") == 0 || r.headers.at("x-goog-api-key") != key_) {
      c.respond(400, "application/json",
                R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}})");
      return;
    }
    std::string model = r.target.substr(prefix.size(), r.target.size() - prefix.size() - suffix.size());
    if (answer_common(model, c, "UNAVAILABLE", &flaky_)) return;
    c.start_chunks(200, "text/event-stream");
    if (model == "slow") c.sleep(std::chrono::milliseconds(1500));
    std::string stream;
    if (model == "blocked") {
      boost::json::object blocked{{"promptFeedback", boost::json::object{{"blockReason", "SAFETY"}}},
                                  {"usageMetadata", boost::json::object{{"promptTokenCount", 12}, {"totalTokenCount", 12}}}};
      send_in_pieces(c, event(blocked));
      c.end_chunks();
      return;
    }
    auto words = split_words(model == "naive" ? naive_echo(boost::json::parse(r.body).as_object()) : reply);
    for (std::size_t i = 0; i < words.size(); ++i) {
      bool last = i + 1 == words.size();
      if (model == "filtered" && i == 1) {
        stream += event(response("", "SAFETY", true));
        break;
      }
      stream += event(response(words[i], last ? "STOP" : nullptr, last));
      if (model == "cut" && i == 1) {
        send_in_pieces(c, stream);
        c.close();
        return;
      }
      if (model == "hang") {
        send_in_pieces(c, stream);
        c.sleep(std::chrono::milliseconds(5000));
        c.close();
        return;
      }
    }
    send_in_pieces(c, stream);
    c.end_chunks();
  }

  /// models/{model}:generateContent: the whole reply in one JSON body.
  void handle_unary(const HttpTestRequest& r, HttpTestConnection& c, const std::string& model) {
    if (r.headers.count("x-goog-api-key") == 0 || r.headers.at("x-goog-api-key") != key_) {
      c.respond(400, "application/json",
                R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}})");
      return;
    }
    if (answer_common(model, c, "UNAVAILABLE", &flaky_)) return;
    c.respond(200, "application/json", boost::json::serialize(response(reply, "STOP", true)));
  }

  std::string key_;
  std::atomic<int> flaky_{0};
  HttpTestServer server_;
};

}  // namespace botfactory::ai::test
