// pg::Transaction refuses to commit work whose caller gave up (common/call_deadline.hpp).
#include <catch2/catch.hpp>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/testenv/test_env.hpp"

using namespace botfactory;
using namespace std::chrono_literals;

TEST_CASE("a commit after the caller's deadline or cancellation rolls back and throws") {
  testenv::TestDatabase db;
  pg::Connection conn(db.conninfo());
  conn.exec("CREATE TABLE t (v int)");
  {
    common::ScopedCallDeadline late(std::chrono::system_clock::now() - 1ms, {});
    pg::Transaction tx(conn);
    conn.exec("INSERT INTO t VALUES (1)");
    CHECK_THROWS_AS(tx.commit(), common::CallAbandoned);
  }
  {
    common::ScopedCallDeadline cancelled(std::chrono::system_clock::now() + 1h, [] { return true; });
    pg::Transaction tx(conn);
    conn.exec("INSERT INTO t VALUES (2)");
    CHECK_THROWS_AS(tx.commit(), common::CallAbandoned);
  }
  {
    common::ScopedCallDeadline in_time(std::chrono::system_clock::now() + 1h, [] { return false; });
    pg::Transaction tx(conn);
    conn.exec("INSERT INTO t VALUES (4)");
    tx.commit();
  }
  // Nothing of the abandoned transactions is left, and the connection is usable.
  CHECK(conn.exec("SELECT coalesce(sum(v),0) FROM t").int64(0, 0) == 4);
}
