#include "e2ee/e2ee_envelope.hpp"

namespace botfactory::channel {
namespace {

constexpr std::string_view kPrefix = "e2ee.v1.";

bool b64u_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

/// The next '.'-separated part of `rest` (consumed with its dot); the last part when no dot.
std::string_view next_part(std::string_view& rest, bool& had_dot) {
  auto dot = rest.find('.');
  had_dot = dot != std::string_view::npos;
  auto part = rest.substr(0, dot);
  rest = had_dot ? rest.substr(dot + 1) : std::string_view();
  return part;
}

std::optional<std::int64_t> parse_epoch(std::string_view digits) {
  if (digits.empty() || digits.size() > 10 || digits.front() == '0') return std::nullopt;
  std::int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > E2eeGrammar::kMaxEpoch) return std::nullopt;
  return value;
}

}  // namespace

bool is_b64u(std::string_view text) {
  if (text.empty() || text.size() % 4 == 1) return false;
  for (char c : text) {
    if (!b64u_char(c)) return false;
  }
  return true;
}

bool is_e2ee_id(std::string_view text) { return text.size() == E2eeGrammar::kIdChars && is_b64u(text); }

bool is_wrapped_key(std::string_view text) {
  if (text.empty() || text.size() > E2eeGrammar::kMaxWrappedKeyChars) return false;
  for (char c : text) {
    if (!b64u_char(c) && c != '.') return false;
  }
  return true;
}

std::optional<E2eeEnvelope> parse_e2ee_envelope(std::string_view text) {
  if (text.size() < kPrefix.size() || text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = text.substr(kPrefix.size());
  bool dot = false;
  auto epoch_part = next_part(rest, dot);
  if (!dot) return std::nullopt;
  auto key_id = next_part(rest, dot);
  if (!dot) return std::nullopt;
  auto iv = next_part(rest, dot);
  if (!dot) return std::nullopt;
  auto ciphertext = next_part(rest, dot);
  if (dot) return std::nullopt;  // a sixth part
  auto epoch = parse_epoch(epoch_part);
  if (!epoch || !is_e2ee_id(key_id)) return std::nullopt;
  if (iv.size() != E2eeGrammar::kIvChars || !is_b64u(iv)) return std::nullopt;
  if (ciphertext.size() < E2eeGrammar::kMinCiphertextChars ||
      ciphertext.size() > E2eeGrammar::kMaxCiphertextChars || !is_b64u(ciphertext)) {
    return std::nullopt;
  }
  return E2eeEnvelope{*epoch, key_id, iv, ciphertext};
}

std::optional<E2eeKeyCheck> e2ee_key_of(std::string_view text) {
  auto envelope = parse_e2ee_envelope(text);
  if (!envelope) return std::nullopt;
  return E2eeKeyCheck{static_cast<std::int32_t>(envelope->epoch), std::string(envelope->key_id)};
}

}  // namespace botfactory::channel
