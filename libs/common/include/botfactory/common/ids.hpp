#pragma once
// Shape checks of the identifiers BotFactory passes between services.

#include <string_view>

namespace botfactory::common {

/// True when `text` is a UUID in its textual form (RFC 9562 section 4, formerly RFC 4122
/// section 3): 36 characters, hex digits in groups of 8-4-4-4-12 separated by '-', digits in
/// either case. Version and variant bits are not checked; braces, "urn:uuid:" prefixes and the
/// 32-digit form without dashes are refused. Callers treat a refused id as malformed/unknown.
bool is_uuid(std::string_view text);

}  // namespace botfactory::common
