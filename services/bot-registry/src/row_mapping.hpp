#pragma once
// Turning query results into values with one row-mapping function per type, so each
// repository writes its column list and its `*_from_row` once.

#include <cstddef>
#include <optional>
#include <type_traits>
#include <vector>

#include "botfactory/pg/connection.hpp"

namespace botfactory::registry {

/// Every row of `result`, in order, as `from_row(result, row)`.
template <typename FromRow>
auto map_rows(const pg::Result& result, FromRow&& from_row) {
  std::vector<std::invoke_result_t<FromRow&, const pg::Result&, int>> values;
  values.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) values.push_back(from_row(result, row));
  return values;
}

/// The first row of `result` as `from_row(result, 0)`; nullopt when there are no rows.
template <typename FromRow>
auto first_row(const pg::Result& result, FromRow&& from_row)
    -> std::optional<std::invoke_result_t<FromRow&, const pg::Result&, int>> {
  if (result.rows() == 0) return std::nullopt;
  return from_row(result, 0);
}

}  // namespace botfactory::registry
