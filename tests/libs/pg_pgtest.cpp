#include <catch2/catch.hpp>

#include "botfactory/pg/migrator.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/testenv/test_env.hpp"

using namespace botfactory;

TEST_CASE("migrations apply once, in order, and are tracked") {
  testenv::TestDatabase db;
  pg::Connection conn(db.conninfo());
  std::vector<pg::Migration> migrations = {
      {2, "add_column", "ALTER TABLE items ADD COLUMN note text;"},
      {1, "create_items", "CREATE TABLE items (id serial PRIMARY KEY, name text UNIQUE);"},
  };
  CHECK(pg::migrate(conn, "demo", migrations) == 2);
  CHECK(pg::migrate(conn, "demo", migrations) == 0);
  auto versions = conn.exec("SELECT version, name FROM demo.schema_migrations ORDER BY version");
  REQUIRE(versions.rows() == 2);
  CHECK(versions.str(1, 1) == "add_column");
  conn.exec("INSERT INTO demo.items (name, note) VALUES ($1, $2)", {"a", std::nullopt});
}

TEST_CASE("a failing migration leaves nothing behind") {
  testenv::TestDatabase db;
  pg::Connection conn(db.conninfo());
  std::vector<pg::Migration> bad = {
      {1, "ok", "CREATE TABLE a (id int);"},
      {2, "broken", "CREATE TABLE b (id int); SELECT no_such_function();"},
  };
  CHECK_THROWS_AS(pg::migrate(conn, "demo", bad), pg::Error);
  auto tables = conn.exec("SELECT count(*) FROM information_schema.tables WHERE table_schema='demo' AND table_name='b'");
  CHECK(tables.int64(0, 0) == 0);
  CHECK(conn.exec("SELECT count(*) FROM demo.schema_migrations").int64(0, 0) == 1);
}

TEST_CASE("errors carry their SQLSTATE and the pool recovers") {
  testenv::TestDatabase db;
  pg::Pool pool(db.conninfo(), 2);
  {
    auto conn = pool.acquire();
    conn->exec("CREATE TABLE u (k text PRIMARY KEY)");
    conn->exec("INSERT INTO u VALUES ('x')");
    try {
      conn->exec("INSERT INTO u VALUES ('x')");
      FAIL("duplicate insert must throw");
    } catch (const pg::Error& e) {
      CHECK(e.is_unique_violation());
    }
    try {
      conn->exec("SELECT $1::uuid", {"not-a-uuid"});
      FAIL("bad uuid must throw");
    } catch (const pg::Error& e) {
      CHECK(e.is_invalid_text_representation());
    }
  }
  CHECK(pool.ping());
  auto a = pool.acquire();
  auto b = pool.acquire();
  CHECK(a->exec("SELECT count(*) FROM u").int64(0, 0) == 1);
}

TEST_CASE("a transaction rolls back unless committed") {
  testenv::TestDatabase db;
  pg::Connection conn(db.conninfo());
  conn.exec("CREATE TABLE t (v int)");
  {
    pg::Transaction tx(conn);
    conn.exec("INSERT INTO t VALUES (1)");
  }
  {
    pg::Transaction tx(conn);
    conn.exec("INSERT INTO t VALUES (2)");
    tx.commit();
  }
  CHECK(conn.exec("SELECT coalesce(sum(v),0) FROM t").int64(0, 0) == 2);
}

TEST_CASE("prepared statements are prepared once per session and survive a reset") {
  testenv::TestDatabase db;
  pg::Connection conn(db.conninfo());
  constexpr const char* kSql = "SELECT $1::int + 1";
  auto count_prepared = [&] {
    return conn.exec("SELECT count(*) FROM pg_prepared_statements WHERE name = 'plus_one'")
        .int64(0, 0);
  };
  CHECK(count_prepared() == 0);
  CHECK(conn.exec_prepared("plus_one", kSql, {"41"}).int64(0, 0) == 42);
  CHECK(conn.exec_prepared("plus_one", kSql, {"1"}).int64(0, 0) == 2);
  CHECK(count_prepared() == 1);
  try {
    conn.exec_prepared("plus_one", kSql, {"not a number"});
    FAIL("a bad parameter must throw");
  } catch (const pg::Error& e) {
    CHECK(e.is_invalid_text_representation());
  }
  try {
    conn.exec_prepared("broken", "SELECT FROM nowhere WHERE", {});
    FAIL("a statement that does not parse must throw");
  } catch (const pg::Error& e) {
    CHECK(e.sqlstate() == "42601");  // syntax_error
  }
  conn.reset();  // a new session: the statement is prepared again on use
  CHECK(count_prepared() == 0);
  CHECK(conn.exec_prepared("plus_one", kSql, {"9"}).int64(0, 0) == 10);
  CHECK(count_prepared() == 1);
}

TEST_CASE("every pooled session has the statement, lock and idle timeouts; over them is a TimeoutError") {
  testenv::TestDatabase db;
  pg::SessionLimits limits;
  limits.statement_timeout = std::chrono::milliseconds(200);
  limits.lock_timeout = std::chrono::milliseconds(100);
  limits.idle_in_transaction_timeout = std::chrono::milliseconds(30000);
  // The conninfo's own options are kept; the limits are appended.
  pg::Pool pool(db.conninfo() + " options='-c search_path=elsewhere'", 2,
                std::chrono::milliseconds(5000), limits);
  auto a = pool.acquire();
  CHECK(a->exec("SHOW statement_timeout").str(0, 0) == "200ms");
  CHECK(a->exec("SHOW lock_timeout").str(0, 0) == "100ms");
  CHECK(a->exec("SHOW idle_in_transaction_session_timeout").str(0, 0) == "30s");
  CHECK(a->exec("SHOW search_path").str(0, 0) == "elsewhere");
  try {
    a->exec("SELECT pg_sleep(5)");
    FAIL("a statement over statement_timeout must throw");
  } catch (const pg::TimeoutError& e) {
    CHECK(e.sqlstate() == "57014");
    CHECK(rpc::guard("test", [&] { throw e; }).error_code() ==
          grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  CHECK(a->exec("SELECT 1").int64(0, 0) == 1);  // the session goes on

  a->exec("CREATE TABLE public.locked (id int)");
  pg::Transaction holder(*a);
  a->exec("LOCK TABLE public.locked IN ACCESS EXCLUSIVE MODE");
  auto b = pool.acquire();
  CHECK(b->exec("SHOW statement_timeout").str(0, 0) == "200ms");  // every pooled connection
  try {
    b->exec("SELECT count(*) FROM public.locked");
    FAIL("a lock wait over lock_timeout must throw");
  } catch (const pg::TimeoutError& e) {
    CHECK(e.sqlstate() == "55P03");
  }
  // Ordinary errors stay plain pg::Error.
  try {
    b->exec("SELECT no_such_function()");
    FAIL("must throw");
  } catch (const pg::TimeoutError&) {
    FAIL("not a timeout");
  } catch (const pg::Error& e) {
    CHECK(e.sqlstate() == "42883");
  }
}

TEST_CASE("migrations are not cut by the session's statement timeout") {
  testenv::TestDatabase db;
  pg::SessionLimits limits;
  limits.statement_timeout = std::chrono::milliseconds(100);
  pg::Connection conn(db.conninfo(), limits);
  std::vector<pg::Migration> slow = {{1, "slow", "SELECT pg_sleep(0.3); CREATE TABLE s (id int);"}};
  CHECK(pg::migrate(conn, "demo", slow) == 1);
  CHECK(conn.exec("SHOW statement_timeout").str(0, 0) == "100ms");  // restored afterwards
}
