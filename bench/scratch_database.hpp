#pragma once
// A private PostgreSQL database for one benchmark run: created at construction, dropped (WITH
// FORCE) at destruction unless kept. Shared by the benchmarks that need their own schema.

#include <string>

#include "botfactory/pg/connection.hpp"

namespace botfactory::bench {

class ScratchDatabase {
 public:
  /// Creates "<prefix><8 random lower-case letters/digits>" through `admin_conninfo` (a libpq
  /// conninfo without dbname, e.g. "host=127.0.0.1 port=5432 user=postgres"). `keep` leaves it
  /// in place at the end (its name is printed on stderr). Throws pg errors when it cannot.
  ScratchDatabase(const std::string& admin_conninfo, const std::string& prefix, bool keep = false);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  /// libpq conninfo of the new database.
  const std::string& conninfo() const { return conninfo_; }

 private:
  pg::Connection admin_;
  std::string name_;
  std::string conninfo_;
  bool keep_;
};

}  // namespace botfactory::bench
