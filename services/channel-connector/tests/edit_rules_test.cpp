// edits: the rules of one edit / delete (message_edits.hpp EditRules), without I/O.

#include <catch2/catch.hpp>

#include "chat/message_edits.hpp"

using namespace botfactory::channel;
namespace commonv1 = botfactory::common::v1;

namespace {

EditTarget target(std::int64_t age_ms, bool deleted = false) {
  EditTarget t;
  t.message_id = "m";
  t.sender_kind = commonv1::SENDER_KIND_VISITOR;
  t.sender_id = "v1";
  t.created_at_us = 1'000'000'000;
  t.now_us = t.created_at_us + age_ms * 1000;
  t.deleted = deleted;
  return t;
}

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const EditError& e) {
    return e.code();
  }
  return "";
}

}  // namespace

TEST_CASE("edit rules: the author within the window; refusals name their reason") {
  EditRules rules(std::chrono::milliseconds(300000));
  EditActor author{commonv1::SENDER_KIND_VISITOR, "v1"};
  CHECK(code_of([&] { rules.check_change(target(0), author); }).empty());
  CHECK(code_of([&] { rules.check_change(target(300000), author); }).empty());  // inclusive
  CHECK(code_of([&] { rules.check_change(target(300001), author); }) == "edit_window_closed");
  CHECK(code_of([&] { rules.check_change(target(10, true), author); }) == "message_deleted");
  CHECK(code_of([&] {
          rules.check_change(target(10), EditActor{commonv1::SENDER_KIND_VISITOR, "v2"});
        }) == "forbidden");
  CHECK(code_of([&] {
          rules.check_change(target(10), EditActor{commonv1::SENDER_KIND_OPERATOR, "v1"});
        }) == "forbidden");
  // Someone else's message is forbidden even after the window (no hint about its age).
  CHECK(code_of([&] {
          rules.check_change(target(900000), EditActor{commonv1::SENDER_KIND_OPERATOR, "x"});
        }) == "forbidden");
}

TEST_CASE("edit rules: text is trimmed and bounded like PostMessage") {
  CHECK(EditRules::checked_text("  hi \n") == "hi");
  CHECK(code_of([] { EditRules::checked_text("   "); }) == "invalid_argument");
  CHECK(code_of([] { EditRules::checked_text(std::string(4001, 'a')); }) == "invalid_argument");
  CHECK(EditRules::checked_text(std::string(4000, 'a')).size() == 4000);
  CHECK(code_of([] { EditRules::checked_text(std::string("a\0b", 3)); }) == "invalid_argument");
  CHECK(code_of([] { EditRules::checked_text("\xff"); }) == "invalid_argument");
}

TEST_CASE("support conversations: the tenant's users are admins, visitors are not") {
  SupportConversationAdmins admins;
  CHECK(admins.is_admin("t", "c", EditActor{commonv1::SENDER_KIND_OPERATOR, "u1"}));
  CHECK_FALSE(admins.is_admin("t", "c", EditActor{commonv1::SENDER_KIND_VISITOR, "v1"}));
  CHECK_FALSE(admins.is_admin("t", "c", EditActor{commonv1::SENDER_KIND_OPERATOR, ""}));
}
