#pragma once
// PostgreSQL text[] values in their text form (PostgreSQL docs, 8.15.6 "Array Input and Output
// Syntax"), for `$n::text[]` parameters and text[] columns.

#include <string>
#include <string_view>
#include <vector>

namespace botfactory::registry {

/// A PostgreSQL array literal of text elements ({"a","b\\"c"}), for a `$n::text[]` parameter.
std::string text_array_literal(const std::vector<std::string>& values);

/// The elements of a one-dimensional text[] value as PostgreSQL prints it ({a,"b c","d\\"e"});
/// NULL elements are skipped. Linear.
std::vector<std::string> text_array_elements(std::string_view array);

}  // namespace botfactory::registry
