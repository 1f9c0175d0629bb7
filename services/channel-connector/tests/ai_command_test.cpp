#include <catch2/catch.hpp>

#include "chat/ai_command.hpp"

using botfactory::channel::ai_reply_client_id;
using botfactory::channel::parse_ai_command;

TEST_CASE("/ai commands: the question after the command word, any ASCII case") {
  CHECK(parse_ai_command("/ai What are your hours?") == std::optional<std::string>("What are your hours?"));
  CHECK(parse_ai_command("/AI  what?  ") == std::optional<std::string>("what?"));
  CHECK(parse_ai_command("/Ai\nline one\nline two") == std::optional<std::string>("line one\nline two"));
  CHECK(parse_ai_command("  /aI\tКак дела?") == std::optional<std::string>("Как дела?"));
}

TEST_CASE("a bare /ai is a command without a question") {
  CHECK(parse_ai_command("/ai") == std::optional<std::string>(""));
  CHECK(parse_ai_command("/AI   ") == std::optional<std::string>(""));
}

TEST_CASE("text that merely looks like /ai is an ordinary message") {
  CHECK_FALSE(parse_ai_command("/aid me").has_value());
  CHECK_FALSE(parse_ai_command("/ai,what").has_value());
  CHECK_FALSE(parse_ai_command("ask /ai something").has_value());
  CHECK_FALSE(parse_ai_command("/a").has_value());
  CHECK_FALSE(parse_ai_command("ai what").has_value());
  CHECK_FALSE(parse_ai_command("/ａｉ what").has_value());  // fullwidth letters are not the command
  CHECK_FALSE(parse_ai_command("").has_value());
}

TEST_CASE("an /ai reply's client id names the command message") {
  CHECK(ai_reply_client_id("5b6f8a52-5d0f-4d55-9a43-2a1f1c9e0001") ==
        "bot-ai-5b6f8a52-5d0f-4d55-9a43-2a1f1c9e0001");
}
