#pragma once
// A hand-made client WebSocket frame for tests that feed the gateway bytes a library would not
// send. Shared by ws_framing_test.cpp (parser unit tests) and ws_hostile_pgtest.cpp (raw socket).

#include <cstdint>
#include <string>
#include <string_view>

namespace botfactory::gateway_test {

/// A masked client frame (RFC 6455 section 5.2): FIN when `fin`, `extra_bits` OR-ed into the
/// first byte (RSV1..3 = 0x40, 0x20, 0x10), `opcode`, the shortest payload length encoding
/// (7 bits, 16 bits, 64 bits), a fixed mask and the masked `payload`.
inline std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                                std::uint8_t extra_bits = 0) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | extra_bits | opcode));
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  out.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) out.push_back(payload[i] ^ mask[i & 3]);
  return out;
}

}  // namespace botfactory::gateway_test
