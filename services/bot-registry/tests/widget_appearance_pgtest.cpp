// look: a bot's widget appearance through the real gRPC service and PostgreSQL (V022): defaults
// when unset, create and update round trips, replacement as a whole (clearing the questions),
// INVALID_ARGUMENT messages naming the field, and the public-id lookup the widget uses.

#include <catch2/catch.hpp>

#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "support/registry_harness.hpp"
#include "widget_appearance.hpp"

using namespace botfactory;
namespace v1 = botfactory::registry::v1;
using Stub = v1::BotRegistryService::Stub;

namespace {

const std::string kTenant = "33333333-3333-4333-8333-333333333333";

std::vector<std::string> questions_of(const v1::Bot& bot) {
  return {bot.widget().suggested_questions().begin(), bot.widget().suggested_questions().end()};
}

}  // namespace

TEST_CASE("widget appearance: defaults, round trip, replaced as a whole, public lookup") {
  registry::test::RegistryHarness h;
  auto plain = h.create_bot(kTenant, "Plain");
  CHECK(plain.widget().color() == registry::kDefaultWidgetColor);
  CHECK(plain.widget().title().empty());
  CHECK(plain.widget().position() == "right");
  CHECK(plain.widget().suggested_questions().empty());

  v1::CreateBotRequest create;
  create.set_tenant_id(kTenant);
  create.set_name("Shop");
  auto* widget = create.mutable_widget();
  widget->set_color("#0B7A4B");
  widget->set_title("  Ask the shop  ");
  widget->set_position("left");
  widget->add_suggested_questions("Where is my order?");
  widget->add_suggested_questions(" Как вернуть товар? ");
  auto created = h.call_ok(&Stub::CreateBot, create);
  CHECK(created.widget().color() == "#0b7a4b");  // stored lower case
  CHECK(created.widget().title() == "Ask the shop");
  CHECK(created.widget().position() == "left");
  CHECK(questions_of(created) == std::vector<std::string>{"Where is my order?", "Как вернуть товар?"});

  // The widget's lookup carries it too.
  v1::GetBotByPublicIdRequest by_public;
  by_public.set_public_id(created.public_id());
  auto found = h.call_ok(&Stub::GetBotByPublicId, by_public);
  CHECK(found.widget().color() == "#0b7a4b");
  CHECK(questions_of(found).size() == 2);

  // An update without `widget` keeps it.
  v1::UpdateBotRequest rename;
  rename.set_tenant_id(kTenant);
  rename.set_bot_id(created.id());
  rename.set_name("Shop 2");
  auto renamed = h.call_ok(&Stub::UpdateBot, rename);
  CHECK(renamed.widget().position() == "left");
  CHECK(questions_of(renamed).size() == 2);

  // With `widget`: replaced as a whole; absent members take the defaults, the questions clear.
  v1::UpdateBotRequest clear;
  clear.set_tenant_id(kTenant);
  clear.set_bot_id(created.id());
  clear.mutable_widget()->set_title("Help");
  auto cleared = h.call_ok(&Stub::UpdateBot, clear);
  CHECK(cleared.widget().color() == registry::kDefaultWidgetColor);
  CHECK(cleared.widget().title() == "Help");
  CHECK(cleared.widget().position() == "right");
  CHECK(cleared.widget().suggested_questions().empty());
  v1::GetBotRequest get;
  get.set_tenant_id(kTenant);
  get.set_bot_id(created.id());
  CHECK(h.call_ok(&Stub::GetBot, get).widget().title() == "Help");
}

TEST_CASE("widget appearance: bad values are INVALID_ARGUMENT naming the field, nothing stored") {
  registry::test::RegistryHarness h;
  auto bot = h.create_bot(kTenant, "Strict");
  struct Case {
    const char* label;
    std::function<void(v1::WidgetAppearance&)> set;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"colour name", [](auto& w) { w.set_color("green"); }, "widget.color"},
      {"short colour", [](auto& w) { w.set_color("#0b7"); }, "widget.color"},
      {"title 61", [](auto& w) { w.set_title(std::string(61, 't')); }, "widget.title must be at most 60"},
      {"position", [](auto& w) { w.set_position("top"); }, "widget.position"},
      {"5 questions", [](auto& w) { for (int i = 0; i < 5; ++i) w.add_suggested_questions("q" + std::to_string(i)); },
       "widget.suggested_questions must hold at most 4"},
      {"81 code points", [](auto& w) {
         std::string q;
         for (int i = 0; i < 81; ++i) q += "ё";
         w.add_suggested_questions(q);
       }, "widget.suggested_questions[0] must be 1 to 80"},
      {"empty question", [](auto& w) { w.add_suggested_questions("ok"); w.add_suggested_questions("   "); },
       "widget.suggested_questions[1] must be 1 to 80"},
      {"control char", [](auto& w) { w.add_suggested_questions(std::string("bell\x07")); },
       "widget.suggested_questions[0] must not contain control characters"},
      {"line break", [](auto& w) { w.set_title("two\nlines"); }, "widget.title must not contain"},
  };
  for (const auto& c : cases) {
    INFO(c.label);
    v1::UpdateBotRequest update;
    update.set_tenant_id(kTenant);
    update.set_bot_id(bot.id());
    c.set(*update.mutable_widget());
    v1::Bot out;
    auto status = h.call(&Stub::UpdateBot, update, &out);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(status.error_message(), Catch::Matchers::StartsWith(c.message));

    v1::CreateBotRequest create;
    create.set_tenant_id(kTenant);
    create.set_name("Refused");
    c.set(*create.mutable_widget());
    CHECK(h.call(&Stub::CreateBot, create, &out).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
  // 60 code points (120 bytes) and 80-code-point questions are fine.
  v1::UpdateBotRequest edge;
  edge.set_tenant_id(kTenant);
  edge.set_bot_id(bot.id());
  std::string title, question;
  for (int i = 0; i < 60; ++i) title += "ж";
  for (int i = 0; i < 80; ++i) question += "ж";
  edge.mutable_widget()->set_title(title);
  for (const char* q : {"a", "b", "c"}) edge.mutable_widget()->add_suggested_questions(q);
  edge.mutable_widget()->add_suggested_questions(question);
  auto ok = h.call_ok(&Stub::UpdateBot, edge);
  CHECK(ok.widget().title() == title);
  CHECK(ok.widget().suggested_questions_size() == 4);
  // Only Strict exists: the refused creates stored nothing.
  v1::ListBotsRequest list;
  list.set_tenant_id(kTenant);
  CHECK(h.call_ok(&Stub::ListBots, list).bots_size() == 1);
}
