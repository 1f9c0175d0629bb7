// Unit tests of the BotRegistryService input rules.

#include <catch2/catch.hpp>

#include "botfactory/rpc/status.hpp"
#include "validation.hpp"
#include "widget_appearance.hpp"

using namespace botfactory;

namespace {

grpc::StatusCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const rpc::StatusError& e) {
    return e.code();
  }
  return grpc::StatusCode::OK;
}

}  // namespace

TEST_CASE("public ids") {
  CHECK(registry::is_public_id("pb_0123456789abcDEF"));
  CHECK_FALSE(registry::is_public_id("pb_0123456789abcDE"));
  CHECK_FALSE(registry::is_public_id("pb_0123456789abcDE!"));
  CHECK_FALSE(registry::is_public_id("xx_0123456789abcDEF"));
}

TEST_CASE("bot fields") {
  CHECK(registry::checked_name("  Support bot ") == "Support bot");
  CHECK(registry::checked_name(std::string(100, 'x')).size() == 100);
  std::string cyrillic_100;
  for (int i = 0; i < 100; ++i) cyrillic_100 += "ж";
  CHECK(registry::checked_name(cyrillic_100) == cyrillic_100);  // 200 bytes, 100 characters
  CHECK(code_of([] { registry::checked_name("   "); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::checked_name(std::string(101, 'x')); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(registry::checked_language("", true) == "en");
  CHECK(registry::checked_language("uz", false) == "uz");
  CHECK(code_of([] { registry::checked_language("", false); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::checked_language("de", true); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::checked_greeting(std::string(1001, 'g')); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::checked_instructions(std::string(4001, 'i')); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::checked_greeting("\xC3"); }) == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("provider settings") {
  common::v1::ProviderSettings settings;
  auto fields = registry::checked_provider(settings);
  CHECK(fields.provider == "extractive");
  CHECK(fields.temperature == 0.0);
  settings.set_provider("gemini");
  settings.set_model("gemini-2.0-flash");
  settings.set_temperature(2.0);
  fields = registry::checked_provider(settings);
  CHECK(fields.provider == "gemini");
  CHECK(fields.model == "gemini-2.0-flash");
  settings.set_temperature(2.01);
  CHECK(code_of([&] { registry::checked_provider(settings); }) == grpc::StatusCode::INVALID_ARGUMENT);
  settings.set_temperature(-0.1);
  CHECK(code_of([&] { registry::checked_provider(settings); }) == grpc::StatusCode::INVALID_ARGUMENT);
  settings.set_temperature(0.5);
  settings.set_provider("claude");
  CHECK(code_of([&] { registry::checked_provider(settings); }) == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("document fields") {
  CHECK(registry::checked_title(" FAQ ") == "FAQ");
  CHECK(code_of([] { registry::checked_title(""); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::checked_title(std::string(201, 't')); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::check_body(" \n "); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::check_body("ok \xE2\x82"); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { registry::check_body("Привет"); }) == grpc::StatusCode::OK);
  CHECK(std::string(registry::format_name(registry::v1::DOCUMENT_FORMAT_UNSPECIFIED)) == "text");
  CHECK(registry::format_from_name("html") == registry::v1::DOCUMENT_FORMAT_HTML);
}

TEST_CASE("provider base URLs: private, loopback and metadata hosts are refused unless allowed (SSRF)") {
  using registry::checked_base_url;
  for (const char* url : {"http://127.0.0.1:8080/v1", "http://localhost:11434", "http://LOCALHOST./v1",
                          "http://ollama.localhost", "http://169.254.169.254/latest/meta-data",
                          "http://10.0.0.7", "https://172.20.1.1:8443/v1", "http://192.168.1.10:8000",
                          "http://100.64.0.1", "http://0.0.0.0:8080", "http://[::1]:8080", "http://[fd00::1]/v1",
                          "http://[fe80::1%25eth0]:80", "http://[::ffff:127.0.0.1]", "http://[::ffff:a9fe:a9fe]",
                          "http://2130706433", "http://127.1:80", "http://0x7f.0.0.1", "http://user:pw@127.0.0.1/v1",
                          "http://evil.example@10.0.0.1:80", "http://127.0.0.1?x=1", "http://127.0.0.1#frag"}) {
    INFO(url);
    std::string message;
    try {
      checked_base_url(url);
    } catch (const rpc::StatusError& e) {
      CHECK(e.code() == grpc::StatusCode::INVALID_ARGUMENT);
      message = e.what();
    }
    CHECK(message == "base_url must not point at a private, loopback or link-local address");
    CHECK(checked_base_url(url, true) == url);  // the operator allows private hosts
  }
  // Public hosts and DNS names pass (where a name resolves is ai-proxy's check).
  for (const char* url : {"https://api.openai.com", "https://llm.example.net:8443/v1", "http://8.8.8.8:80",
                          "http://[2606:4700::1111]:8080", "http://127.0.0.1.nip.io", "http://localhost.example.com",
                          "http://10.0.0.1@public.example.com"}) {
    INFO(url);
    CHECK(checked_base_url(url) == url);
  }
  CHECK(code_of([] { checked_base_url("http://:8080"); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([] { checked_base_url("http://user@"); }) == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("look: widget appearance rules (checked_widget)") {
  using registry::checked_widget;
  auto defaults = checked_widget("", "", "", {});
  CHECK(defaults.color == registry::kDefaultWidgetColor);
  CHECK(defaults.position == "right");
  CHECK(defaults.title.empty());
  auto ok = checked_widget("#0B7A4B", " Hi ", "left", {" What is Common Voice? ", "What is Common Voice?", "Relay?"});
  CHECK(ok.color == "#0b7a4b");
  CHECK(ok.title == "Hi");
  CHECK(ok.position == "left");
  CHECK(ok.suggested_questions == std::vector<std::string>{"What is Common Voice?", "Relay?"});  // duplicate dropped
  const auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  for (const char* color : {"#0b7a4", "0b7a4b", "#0b7a4g", "#0b7a4b0", "red"}) {
    INFO(color);
    CHECK(code_of([&] { checked_widget(color, "", "", {}); }) == invalid);
  }
  CHECK(code_of([] { checked_widget("", std::string(61, 'x'), "", {}); }) == invalid);
  CHECK(checked_widget("", std::string(60, 'x'), "", {}).title.size() == 60);
  CHECK(code_of([] { checked_widget("", "", "center", {}); }) == invalid);
  CHECK(code_of([] { checked_widget("", "", "", {"a", "b", "c", "d", "e"}); }) == invalid);
  CHECK(code_of([] { checked_widget("", "", "", {std::string(81, 'q')}); }) == invalid);
  CHECK(code_of([] { checked_widget("", "", "", {std::string("tab\there")}); }) == invalid);
  CHECK(code_of([] { checked_widget("", "", "", {std::string("nul\0x", 5)}); }) == invalid);
  CHECK(code_of([] { checked_widget("", "", "", {"\xC2\x85" "next line"}); }) == invalid);  // C1 NEL
  CHECK(code_of([] { checked_widget("", "", "", {"\xff bad utf-8"}); }) == invalid);
}
