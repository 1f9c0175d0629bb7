#pragma once
// Non-cryptographic checksums of byte strings.

#include <cstdint>
#include <string_view>

namespace botfactory::common {

/// FNV-1a, 32 bits, of `bytes` (offset basis 0x811c9dc5, prime 0x01000193; Fowler, Noll and Vo,
/// IETF draft-eastlake-fnv). Detects corruption and truncation of our model files
/// (word vectors .bfwv, sentence encoder .bfse, whose converters in tools/ write it), not
/// tampering. Never throws.
constexpr std::uint32_t fnv1a32(std::string_view bytes) {
  std::uint32_t h = 0x811c9dc5u;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x01000193u;
  }
  return h;
}

}  // namespace botfactory::common
