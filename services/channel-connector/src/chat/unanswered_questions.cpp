#include "chat/unanswered_questions.hpp"

#include <unordered_map>
#include <utility>

#include "botfactory/common/ids.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/text/utf8.hpp"
#include "botfactory/text/words.hpp"
#include "chat/ai_command.hpp"
#include "chat/unanswered_repository.hpp"

namespace botfactory::channel {
namespace {

bool is_space(std::uint32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_trailing_punctuation(std::uint32_t cp) {
  switch (cp) {
    case '.': case ',': case '!': case '?': case ';': case ':':
    case 0x2026:  // …
    case 0xFF1F: case 0xFF01: case 0x3002: case 0xFF0C:  // ？ ！ 。 ，
      return true;
    default:
      return false;
  }
}

void require_ids(const std::string& tenant_id, const std::string& bot_id) {
  if (!common::is_uuid(tenant_id)) throw UnansweredInvalid("tenant_id must be a UUID");
  if (!common::is_uuid(bot_id)) throw UnansweredInvalid("bot_id must be a UUID");
}

}  // namespace

UnansweredQuestions::UnansweredQuestions(UnansweredRepository& repository)
    : repository_(repository) {}

std::string UnansweredQuestions::key_of(std::string_view text) {
  std::string key;
  key.reserve(text.size());
  bool pending_space = false;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = 1;
    auto cp = text::decode_utf8(text, pos, length);
    pos += length;
    if (is_space(cp)) {
      pending_space = !key.empty();
      continue;
    }
    if (pending_space) key.push_back(' ');
    pending_space = false;
    text::append_utf8(key, text::lower_code_point(cp));
  }
  // Trailing punctuation (and spaces between marks: "why ? !").
  while (!key.empty()) {
    std::size_t start = key.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(key[start]) & 0xC0) == 0x80) --start;
    std::size_t length = 1;
    auto cp = text::decode_utf8(key, start, length);
    if (!is_trailing_punctuation(cp) && cp != ' ') break;
    key.erase(start);
  }
  return key;
}

UnansweredPage UnansweredQuestions::list(const std::string& tenant_id, const std::string& bot_id,
                                         int days, int limit) {
  require_ids(tenant_id, bot_id);
  if (days == 0) days = kUnansweredDefaultDays;
  if (days < 1 || days > kUnansweredMaxDays) throw UnansweredInvalid("days must be 1..90");
  if (limit == 0) limit = kUnansweredDefaultLimit;
  if (limit < 1 || limit > kUnansweredMaxLimit) throw UnansweredInvalid("limit must be 1..200");

  UnansweredPage page;
  page.days = days;
  auto askings = repository_.recent(tenant_id, bot_id, days, kUnansweredScanMax + 1);
  if (askings.size() > static_cast<std::size_t>(kUnansweredScanMax)) {
    page.truncated = true;
    askings.resize(static_cast<std::size_t>(kUnansweredScanMax));
  }
  std::unordered_map<std::string, std::int64_t> dismissed;
  for (auto& d : repository_.dismissals(tenant_id, bot_id, days)) {
    dismissed.emplace(std::move(d.key), d.dismissed_at_us);
  }
  // Askings come newest first, so a key's first asking seen is its latest: groups are created
  // in last-asked order.
  std::unordered_map<std::string, std::size_t> index;
  std::vector<UnansweredGroup> groups;
  for (auto& asking : askings) {
    // An /ai command's question without the command word, so it groups with the same question
    // asked plainly.
    if (auto question = parse_ai_command(asking.question); question && !question->empty()) {
      asking.question = std::move(*question);
    }
    auto key = key_of(asking.question);
    if (key.empty()) continue;
    if (auto d = dismissed.find(key); d != dismissed.end() && asking.asked_at_us <= d->second) {
      continue;
    }
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      UnansweredGroup group;
      group.key = std::move(key);
      group.text = std::move(asking.question);
      group.last_asked_at_us = asking.asked_at_us;
      group.last_conversation_id = std::move(asking.conversation_id);
      groups.push_back(std::move(group));
    }
    auto& group = groups[it->second];
    ++group.count;
    group.first_asked_at_us = asking.asked_at_us;
    if (group.language.empty()) group.language = std::move(asking.language);
  }
  if (groups.size() > static_cast<std::size_t>(limit)) groups.resize(static_cast<std::size_t>(limit));
  page.questions = std::move(groups);
  return page;
}

std::pair<std::string, std::int64_t> UnansweredQuestions::dismiss(const std::string& tenant_id,
                                                                  const std::string& bot_id,
                                                                  std::string_view key) {
  require_ids(tenant_id, bot_id);
  if (!common::is_valid_utf8(key)) throw UnansweredInvalid("key must be UTF-8");
  if (common::find_control_char(key) != std::string_view::npos) {
    throw UnansweredInvalid("key must not hold control characters");
  }
  if (common::utf8_length(key) > kUnansweredMaxKeyLength) {
    throw UnansweredInvalid("key must be at most 4000 characters");
  }
  auto normalized = key_of(key);
  if (normalized.empty()) throw UnansweredInvalid("key must not be empty");
  auto at = repository_.dismiss(tenant_id, bot_id, normalized);
  return {std::move(normalized), at};
}

}  // namespace botfactory::channel
