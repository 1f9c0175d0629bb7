#pragma once
// JSON-lines logging on spdlog: one named logger per component.

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace botfactory::common {

/// Configures spdlog for a service: JSON lines on stderr, each with time, level, service and
/// logger name. Level from LOG_LEVEL (trace|debug|info|warn|error, default info).
/// Call once, first thing in main().
void init_logging(const std::string& service);

/// The logger for one component (e.g. "pg", "ws"); created on first use, shares the sink.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

/// Escapes `text` for embedding inside a JSON string literal in a log line.
std::string json_escape(std::string_view text);

}  // namespace botfactory::common
