#include <catch2/catch.hpp>

#include "pipeline/bot_phrases.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/validation.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel;

namespace {

chatv1::PostMessageRequest valid_request() {
  chatv1::PostMessageRequest r;
  r.set_conversation_id("0e8c4a39-0b4e-4a56-8b0c-7f5f0b1b0002");
  r.set_client_id("c-1");
  r.mutable_sender()->set_kind(commonv1::SENDER_KIND_VISITOR);
  r.mutable_sender()->set_id("v-1");
  r.mutable_sender()->set_name("Guest 1234");
  r.set_text("  Hello  \n");
  return r;
}

grpc::StatusCode code_of(const chatv1::PostMessageRequest& r) {
  try {
    validate_post(r);
  } catch (const botfactory::rpc::StatusError& e) {
    return e.code();
  }
  return grpc::StatusCode::OK;
}

}  // namespace

TEST_CASE("validate_post trims the text and accepts the limits") {
  CHECK(validate_post(valid_request()) == "Hello");
  auto r = valid_request();
  r.set_text(std::string(4000, 'x'));
  CHECK(validate_post(r).size() == 4000);
  std::string cyrillic;
  for (int i = 0; i < 4000; ++i) cyrillic += "ж";  // 4000 code points, 8000 bytes
  r.set_text(cyrillic);
  CHECK(validate_post(r) == cyrillic);
  r.set_client_id(std::string(64, 'k'));
  CHECK(code_of(r) == grpc::StatusCode::OK);
}

TEST_CASE("validate_post rejects bad input with INVALID_ARGUMENT") {
  auto invalid = grpc::StatusCode::INVALID_ARGUMENT;
  auto r = valid_request();
  r.set_text("");
  CHECK(code_of(r) == invalid);
  r.set_text(" \t\n ");
  CHECK(code_of(r) == invalid);
  r.set_text(std::string(4001, 'x'));
  CHECK(code_of(r) == invalid);
  std::string cyrillic;
  for (int i = 0; i < 4001; ++i) cyrillic += "ж";
  r.set_text(cyrillic);
  CHECK(code_of(r) == invalid);
  r.set_text("bad \xC3\x28 utf8");
  CHECK(code_of(r) == invalid);
  r.set_text(std::string("nul\0inside", 10));
  CHECK(code_of(r) == invalid);

  r = valid_request();
  r.set_client_id("");
  CHECK(code_of(r) == invalid);
  r.set_client_id(std::string(65, 'k'));
  CHECK(code_of(r) == invalid);

  r = valid_request();
  r.mutable_sender()->set_kind(commonv1::SENDER_KIND_UNSPECIFIED);
  CHECK(code_of(r) == invalid);
  r.mutable_sender()->set_kind(static_cast<commonv1::SenderKind>(42));
  CHECK(code_of(r) == invalid);

  r = valid_request();
  r.set_conversation_id("");
  CHECK(code_of(r) == invalid);
  r = valid_request();
  r.mutable_sender()->set_name(std::string(201, 'n'));
  CHECK(code_of(r) == invalid);
}

TEST_CASE("truncate_code_points") {
  CHECK(truncate_code_points("привет", 3) == "при");
  CHECK(truncate_code_points("abc", 5) == "abc");
  CHECK(truncate_code_points("abc", 0).empty());
}

TEST_CASE("bot phrases exist in en, ru and uz with an English fallback") {
  CHECK(quota_exhausted_text("en") ==
        "Sorry, this assistant can't reply right now. Please try again later.");
  CHECK(quota_exhausted_text("ru") ==
        "Извините, сейчас этот помощник не может ответить. Пожалуйста, попробуйте позже.");
  CHECK(quota_exhausted_text("uz") ==
        "Kechirasiz, bu yordamchi hozir javob bera olmaydi. Iltimos, keyinroq urinib ko‘ring.");
  CHECK(quota_exhausted_text("de") == quota_exhausted_text("en"));
  CHECK(apology_text("en").rfind("Sorry, something went wrong", 0) == 0);
  CHECK(apology_text("ru") != apology_text("en"));
  CHECK(apology_text("uz") != apology_text("en"));
  CHECK(apology_text("") == apology_text("en"));
}
