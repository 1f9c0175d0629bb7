#pragma once
// Canned responses (saved replies): the rules of a tenant's saved replies — short code, content,
// the per-tenant bound, search — over CannedRepository. docs/api.md "Canned responses".

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "canned/canned_repository.hpp"

namespace botfactory::channel {

/// Default of CANNED_RESPONSES_MAX: saved replies one tenant may keep.
inline constexpr int kCannedDefaultMax = 500;
/// Longest short code, in ASCII characters ([a-z0-9_-] after folding).
inline constexpr std::size_t kCannedMaxShortCode = 32;
/// Longest content, in code points.
inline constexpr std::size_t kCannedMaxContent = 2000;
/// Longest search query, in code points.
inline constexpr std::size_t kCannedMaxQuery = 200;

/// A field breaks a rule (bad id, short code, content or query). Transport-neutral: the gRPC
/// adapter answers INVALID_ARGUMENT with what().
class CannedInvalid : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// No such saved reply of the tenant (NOT_FOUND).
class CannedNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The short code is already used by another saved reply of the tenant (ALREADY_EXISTS).
class CannedDuplicate : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The tenant already keeps the maximum number of saved replies (FAILED_PRECONDITION).
class CannedLimitReached : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What list() found.
struct CannedPage {
  std::vector<CannedRow> items;
  int total = 0;  // the tenant's rows, unfiltered
  int max = kCannedDefaultMax;
};

/// Lists, creates, edits and deletes a tenant's saved replies. Thread-safe; `repository` must
/// outlive it. Storage failures propagate as pg::Error.
class CannedResponses {
 public:
  /// `max_per_tenant` ≥ 1: the bound of create() (CANNED_RESPONSES_MAX).
  CannedResponses(CannedRepository& repository, int max_per_tenant = kCannedDefaultMax);

  /// `code` case-folded (ASCII A–Z → a–z); CannedInvalid unless the result is 1..32 characters
  /// of [a-z0-9_-].
  static std::string fold_short_code(std::string_view code);

  /// CannedInvalid unless `content` is valid UTF-8, 1..2000 code points, without control
  /// characters other than "\n" (common::find_control_char, plus tab and CR refused) and not
  /// only whitespace.
  static void check_content(std::string_view content);

  /// True when `row` matches the search `query` (already lower-cased; a leading "/" is dropped):
  /// its short code starts with the query or its content holds it, case-insensitively (ASCII
  /// and Cyrillic, text::lower_code_point). `prefix` tells which.
  static bool matches(const CannedRow& row, std::string_view query, bool& prefix);

  /// The tenant's saved replies matching `query` (0..200 code points, "" = all): short-code
  /// prefix matches first, then content matches, each ordered by short code.
  CannedPage list(const std::string& tenant_id, std::string_view query);

  /// Adds one. CannedInvalid, CannedDuplicate (the folded code is taken), CannedLimitReached.
  CannedRow create(const std::string& tenant_id, std::string_view short_code,
                   std::string_view content);

  /// Changes the given fields of `id`. CannedInvalid, CannedNotFound (not the tenant's, or not a
  /// UUID), CannedDuplicate.
  CannedRow update(const std::string& tenant_id, const std::string& id,
                   const std::optional<std::string>& short_code,
                   const std::optional<std::string>& content);

  /// Removes `id`. CannedNotFound when it is not the tenant's.
  void remove(const std::string& tenant_id, const std::string& id);

  int max_per_tenant() const { return max_; }

 private:
  CannedRepository& repository_;
  int max_;
};

}  // namespace botfactory::channel
