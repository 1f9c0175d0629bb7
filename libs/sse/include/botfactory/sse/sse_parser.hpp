#pragma once
// Incremental parser of a text/event-stream body (WHATWG HTML, "Server-sent events" §9.2.6
// "Interpreting an event stream"), as the OpenAI and Gemini streaming APIs send it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace botfactory::sse {

/// One dispatched event. `type` is "message" unless an `event:` field named another; `data` is
/// the `data:` lines joined with "\n" (no trailing newline); `id` is the last event ID buffer.
struct Event {
  std::string type;
  std::string data;
  std::string id;
};

/// Bounds of one parser (bytes).
struct Limits {
  std::size_t max_line_bytes = 1 << 20;   // one line, without its end-of-line
  std::size_t max_event_bytes = 4 << 20;  // the data buffer of one event
};

/// Feeds a stream chunk by chunk; the chunks may be split at any byte (inside a line, between
/// CR and LF, inside a UTF-8 sequence) and the events are the same as for the whole stream at
/// once. Lines end with CRLF, LF or CR; a leading U+FEFF BOM is dropped; lines starting with
/// ':' are comments; field names other than event/data/id/retry are ignored; an empty line
/// dispatches the event when its data buffer is not empty. Bytes are passed through as they
/// are (no UTF-8 validation: callers parse the data as JSON, which checks it). An incomplete
/// event at the end of the stream is discarded, as the standard says. Not thread-safe.
class Parser {
 public:
  using Handler = std::function<void(const Event&)>;

  explicit Parser(Limits limits = {}) : limits_(limits) {}

  /// Parses `bytes`, calling `on_event` for every event completed by them. Returns false when
  /// a line or an event exceeds the limits; the parser then stays failed (every later feed
  /// returns false without parsing) and error() says why.
  bool feed(std::string_view bytes, const Handler& on_event);

  /// The last `retry:` value (ms), if any came.
  std::optional<std::int64_t> retry_ms() const { return retry_ms_; }
  /// Empty while the parser has not failed.
  const std::string& error() const { return error_; }

 private:
  bool process_line(const Handler& on_event);
  bool fail(const char* why);

  Limits limits_;
  std::string line_;
  std::string data_;
  std::string event_type_;
  std::string last_id_;
  std::optional<std::int64_t> retry_ms_;
  std::string error_;
  bool started_ = false;     // past the optional BOM
  bool after_cr_ = false;    // the previous byte ended a line with CR: a following LF is part of it
  bool has_data_ = false;    // a data field was seen since the last dispatch
};

}  // namespace botfactory::sse
