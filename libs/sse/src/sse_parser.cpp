#include "botfactory/sse/sse_parser.hpp"

namespace botfactory::sse {
namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";
}

bool Parser::fail(const char* why) {
  error_ = why;
  line_.clear();
  data_.clear();
  return false;
}

bool Parser::feed(std::string_view bytes, const Handler& on_event) {
  if (!error_.empty()) return false;
  std::size_t i = 0;
  if (!started_) {
    // The BOM may itself arrive split; hold bytes in line_ until it is decided.
    while (i < bytes.size() && line_.size() < kBom.size()) {
      line_.push_back(bytes[i++]);
      if (kBom.substr(0, line_.size()) != line_) break;
    }
    if (line_.size() < kBom.size() && kBom.substr(0, line_.size()) == line_) return true;
    started_ = true;
    std::string held;
    held.swap(line_);
    if (held == kBom) held.clear();
    // Parse the held bytes as ordinary input, then the rest.
    if (!held.empty() && !feed(held, on_event)) return false;
  }
  while (i < bytes.size()) {
    char c = bytes[i];
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') {
        ++i;
        continue;
      }
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      ++i;
      if (!process_line(on_event)) return false;
      continue;
    }
    // Copy the run of ordinary bytes up to the next end of line at once.
    std::size_t end = i;
    while (end < bytes.size() && bytes[end] != '\r' && bytes[end] != '\n') ++end;
    if (line_.size() + (end - i) > limits_.max_line_bytes) return fail("line too long");
    line_.append(bytes.substr(i, end - i));
    i = end;
  }
  return true;
}

bool Parser::process_line(const Handler& on_event) {
  std::string_view line = line_;
  if (line.empty()) {
    if (has_data_) {
      Event event;
      event.type = event_type_.empty() ? "message" : event_type_;
      event.data = std::move(data_);
      if (!event.data.empty() && event.data.back() == '\n') event.data.pop_back();
      event.id = last_id_;
      data_.clear();
      event_type_.clear();
      has_data_ = false;
      on_event(event);
    } else {
      data_.clear();
      event_type_.clear();
    }
    return true;
  }
  if (line.front() == ':') {
    line_.clear();
    return true;
  }
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    event_type_.assign(value);
  } else if (field == "data") {
    if (data_.size() + value.size() + 1 > limits_.max_event_bytes) return fail("event too large");
    data_.append(value);
    data_.push_back('\n');
    has_data_ = true;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  } else if (field == "retry") {
    // ASCII digits only (the standard); more than 15 digits (over 31 000 years) are ignored
    // rather than overflowing.
    bool digits = !value.empty() && value.size() <= 15;
    std::int64_t ms = 0;
    for (std::size_t k = 0; digits && k < value.size(); ++k) {
      char c = value[k];
      if (c < '0' || c > '9') digits = false;
      else ms = ms * 10 + (c - '0');
    }
    if (digits) retry_ms_ = ms;
  }
  line_.clear();
  return true;
}

}  // namespace botfactory::sse
