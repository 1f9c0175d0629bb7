// common::require_secret: missing, short and known secrets refuse start-up unless
// BOTFACTORY_INSECURE_DEV=1.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "botfactory/common/config.hpp"
#include "botfactory/common/secrets.hpp"

using namespace botfactory;

namespace {

constexpr const char* kName = "BOTFACTORY_TEST_SECRET";

/// Sets (or with nullptr unsets) an environment variable for one scope.
struct EnvScope {
  std::string name;
  EnvScope(const char* n, const char* value) : name(n) {
    if (value) setenv(n, value, 1); else unsetenv(n);
  }
  ~EnvScope() { unsetenv(name.c_str()); }
};

}  // namespace

TEST_CASE("a missing, short or known secret refuses start-up") {
  EnvScope dev(common::kInsecureDevFlag, nullptr);
  const std::string thirty_one(31, 'k');
  const char* bad[] = {nullptr, "", "short-secret", thirty_one.c_str(),
                       "dev-only-insecure-jwt-secret-change-me-0123456789",
                       "CHANGE-ME-to-64-random-hex-characters"};
  for (const char* value : bad) {
    EnvScope secret(kName, value);
    INFO((value ? value : "(unset)"));
    CHECK_THROWS_AS(common::require_secret(kName), common::ConfigError);
  }
  auto dev_value = common::insecure_dev_secret(kName);
  EnvScope secret(kName, dev_value.c_str());
  CHECK_THROWS_WITH(common::require_secret(kName),
                    Catch::Contains(kName) && Catch::Contains("known development value"));
}

TEST_CASE("the refusal names the variable and the problem, never the value") {
  EnvScope dev(common::kInsecureDevFlag, nullptr);
  EnvScope secret(kName, "hunter2-too-short");
  try {
    common::require_secret(kName);
    FAIL("accepted a short secret");
  } catch (const common::ConfigError& e) {
    std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("BOTFACTORY_TEST_SECRET is shorter than 32 bytes"));
    CHECK_THAT(message, !Catch::Contains("hunter2"));
  }
}

TEST_CASE("a long random secret is accepted as given") {
  EnvScope dev(common::kInsecureDevFlag, nullptr);
  std::string good(32, 'x');
  good += "-0123456789";
  EnvScope secret(kName, good.c_str());
  CHECK(common::require_secret(kName) == good);
  CHECK(common::secret_problem(std::string(32, 'z')).empty());
}

TEST_CASE("development mode accepts a bad secret, or stands in a public one when unset") {
  EnvScope dev(common::kInsecureDevFlag, "1");
  {
    EnvScope secret(kName, nullptr);
    CHECK(common::require_secret(kName) == common::insecure_dev_secret(kName));
  }
  {
    EnvScope secret(kName, "short");
    CHECK(common::require_secret(kName) == "short");
  }
  EnvScope off(common::kInsecureDevFlag, "0");
  EnvScope secret(kName, "short");
  CHECK_THROWS_AS(common::require_secret(kName), common::ConfigError);
}
