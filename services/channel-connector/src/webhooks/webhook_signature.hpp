#pragma once
// The signature of an outgoing webhook: header `BotFactory-Signature: t=<unix seconds>,v1=<hex>`
// where <hex> is the lower-case hex HMAC-SHA256 (RFC 2104, OpenSSL HMAC) keyed with the
// endpoint's secret over "<t>.<body>" — the scheme of Stripe's webhook signatures
// (docs.stripe.com/webhooks "Verify signatures manually").

#include <cstdint>
#include <string>
#include <string_view>

namespace botfactory::channel {

/// Lower-case hex HMAC-SHA256 of `message` keyed with `key` (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// The BotFactory-Signature header value for `body` sent at `unix_seconds`.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

}  // namespace botfactory::channel
