#pragma once
// Cryptographically secure random identifiers (libsodium randombytes).

#include <cstddef>
#include <string>

namespace botfactory::common {

/// `bytes` random bytes encoded as unpadded base64url (RFC 4648 section 5). For opaque tokens.
std::string random_token(std::size_t bytes);

/// `length` random characters from [0-9A-Za-z]. For public ids.
std::string random_base62(std::size_t length);

/// A new random (version 4) UUID in the lower-case 8-4-4-4-12 form (RFC 9562 section 5.4):
/// 122 random bits, version nibble 4, variant bits 10. common::is_uuid() accepts it.
std::string random_uuid();

/// Uniform random integer in [low, high] (inclusive).
int random_int(int low, int high);

/// Hex-encoded SHA-256 of `data` (libsodium crypto_hash_sha256). For storing token hashes.
std::string sha256_hex(const std::string& data);

}  // namespace botfactory::common
