// FNV-1a 32 against the reference values of its specification (draft-eastlake-fnv, test
// vectors "", "a", "foobar").

#include <catch2/catch.hpp>

#include "botfactory/common/checksum.hpp"

using botfactory::common::fnv1a32;

TEST_CASE("fnv1a32 gives the specification's values") {
  STATIC_REQUIRE(fnv1a32("") == 0x811c9dc5u);
  CHECK(fnv1a32("a") == 0xe40c292cu);
  CHECK(fnv1a32("foobar") == 0xbf9cf968u);
  CHECK(fnv1a32(std::string_view("\xff\x00", 2)) != fnv1a32(std::string_view("\xff", 1)));
}
