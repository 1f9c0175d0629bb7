#include "canned/canned_responses.hpp"

#include <algorithm>

#include "botfactory/common/ids.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/text/utf8.hpp"
#include "botfactory/text/words.hpp"

namespace botfactory::channel {
namespace {

void require_tenant(const std::string& tenant_id) {
  if (!common::is_uuid(tenant_id)) throw CannedInvalid("tenant_id must be a UUID");
}

/// Lower-cases UTF-8 `text` code point by code point (text::lower_code_point).
std::string lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = 1;
    auto cp = text::decode_utf8(text, pos, length);
    pos += length;
    text::append_utf8(out, text::lower_code_point(cp));
  }
  return out;
}

}  // namespace

CannedResponses::CannedResponses(CannedRepository& repository, int max_per_tenant)
    : repository_(repository), max_(std::max(1, max_per_tenant)) {}

std::string CannedResponses::fold_short_code(std::string_view code) {
  if (code.empty() || code.size() > kCannedMaxShortCode) {
    throw CannedInvalid("short_code must be 1..32 characters");
  }
  std::string folded;
  folded.reserve(code.size());
  for (char c : code) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) throw CannedInvalid("short_code may hold only letters a-z, digits, '_' and '-'");
    folded.push_back(c);
  }
  return folded;
}

void CannedResponses::check_content(std::string_view content) {
  if (!common::is_valid_utf8(content)) throw CannedInvalid("content must be UTF-8");
  if (common::find_control_char(content) != std::string_view::npos ||
      content.find_first_of("\t\r") != std::string_view::npos) {
    throw CannedInvalid("content must not hold control characters other than a line feed");
  }
  auto length = common::utf8_length(content);
  if (length == 0 || common::trim(content).empty()) {
    throw CannedInvalid("content must not be empty");
  }
  if (length > kCannedMaxContent) throw CannedInvalid("content must be at most 2000 characters");
}

bool CannedResponses::matches(const CannedRow& row, std::string_view query, bool& prefix) {
  prefix = false;
  if (!query.empty() && query.front() == '/') query.remove_prefix(1);
  if (row.short_code.compare(0, query.size(), query) == 0) {
    prefix = true;
    return true;
  }
  return lower(row.content).find(query) != std::string::npos;
}

CannedPage CannedResponses::list(const std::string& tenant_id, std::string_view query) {
  require_tenant(tenant_id);
  if (!common::is_valid_utf8(query)) throw CannedInvalid("q must be UTF-8");
  if (common::find_control_char(query) != std::string_view::npos) {
    throw CannedInvalid("q must not hold control characters");
  }
  if (common::utf8_length(query) > kCannedMaxQuery) {
    throw CannedInvalid("q must be at most 200 characters");
  }
  CannedPage page;
  page.max = max_;
  // The bound keeps this small; a lowered max (rows above it) still lists every row up to 2×.
  auto rows = repository_.list(tenant_id, max_ * 2);
  page.total = static_cast<int>(rows.size());
  auto needle = lower(common::trim(query));
  if (needle.empty()) {
    page.items = std::move(rows);
    return page;
  }
  std::vector<CannedRow> by_code, by_content;
  for (auto& row : rows) {
    bool prefix = false;
    if (!matches(row, needle, prefix)) continue;
    (prefix ? by_code : by_content).push_back(std::move(row));
  }
  page.items = std::move(by_code);
  std::move(by_content.begin(), by_content.end(), std::back_inserter(page.items));
  return page;
}

CannedRow CannedResponses::create(const std::string& tenant_id, std::string_view short_code,
                                  std::string_view content) {
  require_tenant(tenant_id);
  auto code = fold_short_code(short_code);
  check_content(content);
  CannedRow row;
  switch (repository_.insert(tenant_id, code, std::string(content), max_, row)) {
    case CannedInsert::kCreated: return row;
    case CannedInsert::kDuplicate:
      throw CannedDuplicate("the short code /" + code + " is already used");
    case CannedInsert::kFull:
      throw CannedLimitReached("at most " + std::to_string(max_) +
                               " saved replies per account; delete one first");
  }
  return row;
}

CannedRow CannedResponses::update(const std::string& tenant_id, const std::string& id,
                                  const std::optional<std::string>& short_code,
                                  const std::optional<std::string>& content) {
  require_tenant(tenant_id);
  if (!common::is_uuid(id)) throw CannedNotFound("no such saved reply");
  std::optional<std::string> code;
  if (short_code) code = fold_short_code(*short_code);
  if (content) check_content(*content);
  bool duplicate = false;
  auto row = repository_.update(tenant_id, id, code, content, duplicate);
  if (duplicate) throw CannedDuplicate("the short code /" + *code + " is already used");
  if (!row) throw CannedNotFound("no such saved reply");
  return *row;
}

void CannedResponses::remove(const std::string& tenant_id, const std::string& id) {
  require_tenant(tenant_id);
  if (!common::is_uuid(id) || !repository_.remove(tenant_id, id)) {
    throw CannedNotFound("no such saved reply");
  }
}

}  // namespace botfactory::channel
