#include <catch2/catch.hpp>

#include <cstdlib>

#include "botfactory/common/config.hpp"

using botfactory::common::ConfigError;
using botfactory::common::env_bool;
using botfactory::common::env_int;
using botfactory::common::env_string;

TEST_CASE("env_string falls back when unset or empty") {
  ::unsetenv("BF_TEST_STR");
  CHECK(env_string("BF_TEST_STR", "dflt") == "dflt");
  ::setenv("BF_TEST_STR", "", 1);
  CHECK(env_string("BF_TEST_STR", "dflt") == "dflt");
  ::setenv("BF_TEST_STR", "value", 1);
  CHECK(env_string("BF_TEST_STR", "dflt") == "value");
}

TEST_CASE("env_int parses, range-checks and rejects garbage") {
  ::setenv("BF_TEST_INT", "8080", 1);
  CHECK(env_int("BF_TEST_INT", 1) == 8080);
  ::setenv("BF_TEST_INT", "80x", 1);
  CHECK_THROWS_AS(env_int("BF_TEST_INT", 1), ConfigError);
  ::setenv("BF_TEST_INT", "70000", 1);
  CHECK_THROWS_AS(env_int("BF_TEST_INT", 1, 0, 65535), ConfigError);
  ::unsetenv("BF_TEST_INT");
  CHECK(env_int("BF_TEST_INT", 42) == 42);
}

TEST_CASE("env_bool accepts the usual spellings only") {
  ::setenv("BF_TEST_BOOL", "yes", 1);
  CHECK(env_bool("BF_TEST_BOOL", false));
  ::setenv("BF_TEST_BOOL", "off", 1);
  CHECK_FALSE(env_bool("BF_TEST_BOOL", true));
  ::setenv("BF_TEST_BOOL", "maybe", 1);
  CHECK_THROWS_AS(env_bool("BF_TEST_BOOL", true), ConfigError);
}
