#include "channels/channel_credentials.hpp"

#include <sodium.h>

#include <boost/json.hpp>

namespace botfactory::channel {
namespace {
namespace json = boost::json;
}

crypto::SealedValue seal_credentials(const crypto::SecretBox& box,
                                     const ChannelCredentials& credentials) {
  json::object object{{"token", credentials.token}};
  if (!credentials.webhook_secret.empty()) object["webhook_secret"] = credentials.webhook_secret;
  if (!credentials.access_token.empty()) object["access_token"] = credentials.access_token;
  if (!credentials.app_secret.empty()) object["app_secret"] = credentials.app_secret;
  if (!credentials.verify_token.empty()) object["verify_token"] = credentials.verify_token;
  std::string plain = json::serialize(object);
  auto sealed = box.seal(plain);
  sodium_memzero(plain.data(), plain.size());
  return sealed;
}

ChannelCredentials parse_credentials(std::string_view text) {
  boost::system::error_code error;
  json::parse_options options;
  options.max_depth = 4;
  auto value = json::parse(text, error, {}, options);
  if (error || !value.is_object()) throw std::runtime_error("channel credentials are malformed");
  ChannelCredentials out;
  for (const auto& [key, member] : value.get_object()) {
    if (!member.is_string()) throw std::runtime_error("channel credentials are malformed");
    if (key == "token") out.token = std::string(member.get_string());
    if (key == "webhook_secret") out.webhook_secret = std::string(member.get_string());
    if (key == "access_token") out.access_token = std::string(member.get_string());
    if (key == "app_secret") out.app_secret = std::string(member.get_string());
    if (key == "verify_token") out.verify_token = std::string(member.get_string());
  }
  return out;
}

ChannelCredentials open_credentials(const crypto::SecretBox& box, const crypto::SealedValue& sealed) {
  std::string plain = box.open(sealed);
  auto out = parse_credentials(plain);
  sodium_memzero(plain.data(), plain.size());
  return out;
}

std::string mask_last_four(std::string_view secret) {
  if (secret.size() < 12) return {};
  return std::string(secret.substr(secret.size() - 4));
}

}  // namespace botfactory::channel
