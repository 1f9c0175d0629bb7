#pragma once
// Unanswered questions (the "misunderstood inbox"): what visitors asked a bot that its knowledge
// base could not answer, grouped by question, and the dismissals that hide a question until it
// is asked again. docs/api.md "Unanswered questions".

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::channel {

class UnansweredRepository;

/// Bounds of ListUnansweredQuestions (docs/api.md).
inline constexpr int kUnansweredDefaultDays = 30;
inline constexpr int kUnansweredMaxDays = 90;
inline constexpr int kUnansweredDefaultLimit = 50;
inline constexpr int kUnansweredMaxLimit = 200;
/// Unanswered replies one list call reads at most (newest first); more → `truncated`.
inline constexpr int kUnansweredScanMax = 5000;
/// Longest key or wording a dismissal accepts, in code points (a message's own bound).
inline constexpr std::size_t kUnansweredMaxKeyLength = 4000;

/// A request the caller must fix (bad id, bound or key). Transport-neutral: the gRPC adapter
/// answers INVALID_ARGUMENT with what().
class UnansweredInvalid : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// One question key with its askings in the window (after its dismissal, if any).
/// Times are Unix epoch microseconds (UTC).
struct UnansweredGroup {
  std::string key;
  std::string text;  // the latest asking's wording
  std::int64_t count = 0;
  std::int64_t first_asked_at_us = 0;
  std::int64_t last_asked_at_us = 0;
  std::string last_conversation_id;
  std::string language;  // of the newest asking that has one; "" when unknown
};

/// What list() found.
struct UnansweredPage {
  std::vector<UnansweredGroup> questions;  // newest last_asked first
  int days = kUnansweredDefaultDays;
  bool truncated = false;  // more than kUnansweredScanMax askings in the window
};

/// Lists and dismisses unanswered questions of a tenant's bot. Thread-safe; `repository` must
/// outlive it. Storage failures propagate as pg::Error.
class UnansweredQuestions {
 public:
  explicit UnansweredQuestions(UnansweredRepository& repository);

  /// The normalized question key of UTF-8 `text`: ASCII and Cyrillic letters lower-cased
  /// (text::lower_code_point), every run of whitespace (ASCII, U+00A0, U+2000..U+200B, U+3000)
  /// made one space, leading / trailing whitespace removed, then trailing punctuation
  /// (. , ! ? ; : … and the full-width ？ ！ 。 ，, plus whitespace between them) trimmed.
  /// "What is  the boiling point of Tungsten?? " → "what is the boiling point of tungsten".
  static std::string key_of(std::string_view text);

  /// `tenant_id`, `bot_id`: UUIDs; `days` 1..90 (0 = 30); `limit` 1..200 (0 = 50); else
  /// UnansweredInvalid. Groups the window's askings by key_of(question) (an `/ai <question>`
  /// command counts as its question, parse_ai_command), drops the askings at
  /// or before their key's dismissal, orders by last asked (newest first), keeps `limit`.
  UnansweredPage list(const std::string& tenant_id, const std::string& bot_id, int days,
                      int limit);

  /// Marks key_of(`key`) dismissed for the bot (idempotent; a repeat moves the time forward).
  /// Returns the key recorded and its dismissed_at (µs). UnansweredInvalid for bad ids, a key
  /// that is not valid UTF-8, longer than 4000 code points, or empty after normalizing.
  std::pair<std::string, std::int64_t> dismiss(const std::string& tenant_id,
                                               const std::string& bot_id, std::string_view key);

 private:
  UnansweredRepository& repository_;
};

}  // namespace botfactory::channel
