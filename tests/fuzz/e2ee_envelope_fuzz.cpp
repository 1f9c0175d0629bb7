// Fuzz target: the e2ee text grammar (services/channel-connector/src/e2ee/e2ee_envelope.hpp,
// docs/e2ee.md): the message envelope and the id / wrapped-key checks.
// Input: the text.
// Properties:
// - a parsed envelope's parts are views into the text, and joining them back with the prefix
//   and dots gives the text exactly;
// - every part obeys the grammar on its own (epoch 1..2^31-1, key id 22 b64u, iv 16 b64u,
//   ciphertext 22..24000 b64u);
// - is_e2ee_id / is_wrapped_key / is_b64u agree with their definitions.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "e2ee/e2ee_envelope.hpp"
#include "fuzz_check.hpp"

namespace ch = botfactory::channel;

namespace {

bool only(std::string_view text, bool dots) {
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || (dots && c == '.');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto e = ch::parse_e2ee_envelope(text)) {
    std::string joined = "e2ee.v1." + std::to_string(e->epoch) + "." + std::string(e->key_id) + "." +
                         std::string(e->iv) + "." + std::string(e->ciphertext);
    FUZZ_CHECK(joined == text);
    FUZZ_CHECK(e->epoch >= 1 && e->epoch <= ch::E2eeGrammar::kMaxEpoch);
    FUZZ_CHECK(ch::is_e2ee_id(e->key_id));
    FUZZ_CHECK(e->iv.size() == ch::E2eeGrammar::kIvChars && ch::is_b64u(e->iv));
    FUZZ_CHECK(e->ciphertext.size() >= ch::E2eeGrammar::kMinCiphertextChars &&
               e->ciphertext.size() <= ch::E2eeGrammar::kMaxCiphertextChars && ch::is_b64u(e->ciphertext));
    FUZZ_CHECK(e->key_id.data() >= text.data() && e->ciphertext.data() + e->ciphertext.size() <= text.data() + size);
  }
  bool b64u = ch::is_b64u(text);
  FUZZ_CHECK(b64u == (!text.empty() && text.size() % 4 != 1 && only(text, false)));
  FUZZ_CHECK(ch::is_e2ee_id(text) == (b64u && text.size() == ch::E2eeGrammar::kIdChars));
  FUZZ_CHECK(ch::is_wrapped_key(text) ==
             (!text.empty() && text.size() <= ch::E2eeGrammar::kMaxWrappedKeyChars && only(text, true)));
  return 0;
}
