#include "botfactory/testenv/test_env.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "botfactory/common/random.hpp"
#include "botfactory/pg/connection.hpp"

namespace botfactory::testenv {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the tests through scripts/test.sh (make test)");
  }
  return value;
}

}  // namespace

TestDatabase::TestDatabase() : admin_(required_env("BOTFACTORY_TEST_PG")) {
  std::string suffix = common::random_base62(10);
  for (auto& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  name_ = "t_" + suffix;
  pg::Connection admin(admin_);
  admin.exec("CREATE DATABASE " + name_);
  conninfo_ = admin_ + " dbname=" + name_;
}

TestDatabase::~TestDatabase() {
  try {
    pg::Connection admin(admin_);
    admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The harness removes the whole server afterwards.
  }
}

std::string redis_host() { return required_env("BOTFACTORY_TEST_REDIS_HOST"); }

int redis_port() { return std::atoi(required_env("BOTFACTORY_TEST_REDIS_PORT").c_str()); }

}  // namespace botfactory::testenv
