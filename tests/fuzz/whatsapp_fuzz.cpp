// Fuzz target: the WhatsApp Cloud API and Instagram webhook parsers and the signature check of
// channel-connector (whatsapp_wire.cpp, instagram_wire.cpp; https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks).
// Input: the bytes are parsed as a webhook body and used as an X-Hub-Signature-256 header.
// Properties:
// - parse_webhook() never crashes and takes at most kMaxItemsPerCall messages and statuses;
// - every message survives its inbox round trip (stored_message_json → parse_stored_message);
// - sign(secret, body) always verifies; the input itself as a header never verifies unless it
//   is that signature.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "channels/instagram_wire.hpp"
#include "channels/whatsapp_wire.hpp"

namespace wa = botfactory::channel::whatsapp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto payload = wa::parse_webhook(input)) {
    FUZZ_CHECK(payload->messages.size() <= wa::kMaxItemsPerCall);
    FUZZ_CHECK(payload->statuses.size() <= wa::kMaxItemsPerCall);
    for (const auto& m : payload->messages) {
      FUZZ_CHECK(!m.id.empty() && !m.from.empty());
      auto back = wa::parse_stored_message(wa::stored_message_json(m));
      FUZZ_CHECK(back && back->id == m.id && back->from == m.from && back->text == m.text &&
                 back->name == m.name && back->timestamp_s == m.timestamp_s);
    }
    for (const auto& s : payload->statuses) FUZZ_CHECK(!s.id.empty() && !s.status.empty());
  }
  // Instagram messaging[] (instagram_wire.cpp): the same bound and round trip.
  if (auto messages = botfactory::channel::instagram::parse_webhook(input)) {
    FUZZ_CHECK(messages->size() <= wa::kMaxItemsPerCall);
    for (const auto& m : *messages) {
      auto back = wa::parse_stored_message(wa::stored_message_json(m));
      FUZZ_CHECK(back && back->id == m.id && back->from == m.from && back->text == m.text);
    }
  }
  const std::string secret = "fuzz-app-secret";
  auto good = wa::sign(secret, input);
  FUZZ_CHECK(wa::signature_ok(secret, input, good));
  FUZZ_CHECK(wa::signature_ok(secret, input, input) == (input == good));
  return 0;
}
