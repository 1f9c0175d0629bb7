#pragma once
// Access to the real PostgreSQL and Redis servers that scripts/test.sh starts for the tests.

#include <string>

namespace botfactory::testenv {

/// A fresh, uniquely named database on the test PostgreSQL server (env BOTFACTORY_TEST_PG, a
/// libpq conninfo for the maintenance database); dropped on destruction. Throws
/// std::runtime_error when the variable is unset or the server cannot be reached.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// libpq conninfo of the new database.
  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }

 private:
  std::string admin_;
  std::string name_;
  std::string conninfo_;
};

/// Host and port of the test Redis server (env BOTFACTORY_TEST_REDIS_HOST/PORT).
std::string redis_host();
int redis_port();

}  // namespace botfactory::testenv
