#pragma once
// Device public keys of end-to-end encrypted rooms (docs/e2ee.md): an ECDH P-256 public key as
// base64url (no padding) of its 65-byte uncompressed point (SEC 1 v2 section 2.3.3, 0x04||X||Y),
// as WebCrypto exports it with exportKey("raw").

#include <string_view>

namespace botfactory::channel {

/// True when `b64u` is exactly 87 base64url characters decoding to 65 bytes 0x04||X||Y that
/// OpenSSL (EC_POINT_oct2point on prime256v1) accepts as a point on the curve, not the point
/// at infinity. Never throws.
bool valid_p256_public_key(std::string_view b64u);

}  // namespace botfactory::channel
