#include "http/client_address.hpp"

#include <vector>

#include "botfactory/common/text.hpp"

namespace botfactory::gateway {
namespace {

namespace ip = boost::asio::ip;

constexpr std::size_t kMaxAddressText = 64;  // longest sensible "[v6%zone]:port"

std::optional<ip::address> make(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

std::optional<ip::address> parse_address(std::string_view text) {
  text = common::trim(text);
  if (text.empty() || text.size() > kMaxAddressText) return std::nullopt;
  if (text.front() == '[') {  // "[v6]" or "[v6]:port"
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    auto address = make(text.substr(1, close - 1));
    if (!address || !address->is_v6()) return std::nullopt;
    return address;
  }
  if (auto address = make(text)) return address;
  // "a.b.c.d:port": exactly one colon (an IPv6 address without brackets has several).
  auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    auto address = make(text.substr(0, colon));
    if (address && address->is_v4()) return address;
  }
  return std::nullopt;
}

std::string address_key(const ip::address& address) {
  if (address.is_v4()) return address.to_v4().to_string();
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return ip::address_v6(bytes).to_string() + "/64";
}

std::string client_key(const ip::address& peer, std::string_view forwarded_for,
                       int trusted_hops) {
  if (trusted_hops <= 0) return address_key(peer);
  std::vector<std::string_view> entries;
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.find(',');
    auto entry = common::trim(forwarded_for.substr(0, comma));
    if (!entry.empty()) entries.push_back(entry);
    if (comma == std::string_view::npos) break;
    forwarded_for.remove_prefix(comma + 1);
  }
  if (entries.empty()) return address_key(peer);
  auto hops = static_cast<std::size_t>(trusted_hops);
  auto chosen = entries.size() >= hops ? entries[entries.size() - hops] : entries.front();
  auto address = parse_address(chosen);
  return address_key(address ? *address : peer);
}

}  // namespace botfactory::gateway
