#include "e2ee/e2ee_public_key.hpp"

#include <memory>
#include <optional>
#include <string>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "e2ee/e2ee_envelope.hpp"

namespace botfactory::channel {
namespace {

/// base64url without padding → bytes (OpenSSL EVP_DecodeBlock on the standard alphabet).
std::optional<std::string> decode_b64u(std::string_view text) {
  if (!is_b64u(text)) return std::nullopt;
  std::string standard(text);
  for (auto& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  std::size_t pad = (4 - standard.size() % 4) % 4;
  standard.append(pad, '=');
  std::string out(standard.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(standard.data()),
                          static_cast<int>(standard.size()));
  if (n < 0 || static_cast<std::size_t>(n) < pad) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);  // EVP_DecodeBlock counts the padding as zeros
  return out;
}

}  // namespace

bool valid_p256_public_key(std::string_view b64u) {
  if (b64u.size() != E2eeGrammar::kPublicKeyChars) return false;
  auto raw = decode_b64u(b64u);
  if (!raw || raw->size() != 65 || static_cast<unsigned char>((*raw)[0]) != 0x04) return false;
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), &EC_GROUP_free);
  if (!group) return false;
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> point(EC_POINT_new(group.get()), &EC_POINT_free);
  if (!point) return false;
  if (EC_POINT_oct2point(group.get(), point.get(), reinterpret_cast<const unsigned char*>(raw->data()),
                         raw->size(), nullptr) != 1) {
    return false;
  }
  return EC_POINT_is_at_infinity(group.get(), point.get()) == 0 &&
         EC_POINT_is_on_curve(group.get(), point.get(), nullptr) == 1;
}

}  // namespace botfactory::channel
