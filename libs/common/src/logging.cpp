#include "botfactory/common/logging.hpp"

#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "botfactory/common/config.hpp"
#include "botfactory/common/request_id.hpp"

namespace botfactory::common {
namespace {

std::mutex g_mutex;
spdlog::sink_ptr g_sink;
// %* is RequestIdFlag: `,"request_id":"…"` while the thread runs a request, else nothing.
std::string g_pattern =
    R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n"%*,"msg":"%v"})";
spdlog::level::level_enum g_level = spdlog::level::info;

/// Writes the current request id (common::current_request_id()) as a JSON member.
class RequestIdFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const auto& id = current_request_id();
    if (id.empty()) return;
    constexpr std::string_view kPrefix = R"(,"request_id":")";
    auto escaped = json_escape(id);
    dest.append(kPrefix.data(), kPrefix.data() + kPrefix.size());
    dest.append(escaped.data(), escaped.data() + escaped.size());
    dest.push_back('"');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<RequestIdFlag>();
  }
};

/// Applies the JSON line pattern (with the request id flag) to `logger`.
void apply_pattern(spdlog::logger& logger) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<RequestIdFlag>('*').set_pattern(g_pattern);
  logger.set_formatter(std::move(formatter));
}

spdlog::sink_ptr sink() {
  if (!g_sink) g_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return g_sink;
}

}  // namespace

void init_logging(const std::string& service) {
  std::lock_guard lock(g_mutex);
  g_pattern = R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","service":")" + json_escape(service) +
              R"(","logger":"%n"%*,"msg":"%v"})";
  g_level = spdlog::level::from_str(env_string("LOG_LEVEL", "info"));
  auto root = std::make_shared<spdlog::logger>(service, sink());
  apply_pattern(*root);
  root->set_level(g_level);
  spdlog::set_default_logger(root);
}

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = std::make_shared<spdlog::logger>(component, sink());
  apply_pattern(*created);
  created->set_level(g_level);
  spdlog::register_logger(created);
  return created;
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace botfactory::common
