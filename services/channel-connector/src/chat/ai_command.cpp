#include "chat/ai_command.hpp"

#include "botfactory/common/text.hpp"

namespace botfactory::channel {
namespace {

constexpr std::string_view kCommand = "/ai";

bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::optional<std::string> parse_ai_command(std::string_view text) {
  text = common::trim(text);
  if (text.size() < kCommand.size()) return std::nullopt;
  if (common::to_lower_ascii(text.substr(0, kCommand.size())) != kCommand) return std::nullopt;
  auto rest = text.substr(kCommand.size());
  if (!rest.empty() && !ascii_space(rest.front())) return std::nullopt;
  return std::string(common::trim(rest));
}

std::string ai_reply_client_id(std::string_view message_id) {
  std::string id = "bot-ai-";
  id.append(message_id);
  return id;
}

}  // namespace botfactory::channel
