// CachingModelConfigSource: reuse within the TTL, expiry, the entry bound (least recently used
// goes), errors not cached. The clock is injected: no sleeping, no timing.

#include <catch2/catch.hpp>

#include <map>

#include "botfactory/rpc/status.hpp"
#include "model_config_cache.hpp"

namespace {

using namespace botfactory::ai;
using std::chrono::milliseconds;

/// Counts calls per (tenant, bot); answers the call number as the model.
struct CountingSource : ModelConfigSource {
  std::map<std::string, int> calls;
  bool fail = false;
  ModelConfig model_config(const std::string& tenant_id, const std::string& bot_id) override {
    int n = ++calls[tenant_id + "/" + bot_id];
    if (fail) throw botfactory::rpc::StatusError(grpc::StatusCode::UNAVAILABLE, "bot registry unavailable");
    ModelConfig config;
    config.provider = "openai";
    config.model = std::to_string(n);
    config.api_key = "sk-" + bot_id;
    return config;
  }
};

struct Fixture {
  std::shared_ptr<CountingSource> inner = std::make_shared<CountingSource>();
  std::chrono::steady_clock::time_point now{};
  CachingModelConfigSource cache;
  explicit Fixture(std::size_t entries = 3)
      : cache(inner, ModelConfigCacheSettings{milliseconds(5000), entries}, [this] { return now; }) {}
};

}  // namespace

TEST_CASE("model config cache: reused within the TTL, asked again after it") {
  Fixture f;
  CHECK(f.cache.model_config("t1", "b1").model == "1");
  f.now += milliseconds(4999);
  auto again = f.cache.model_config("t1", "b1");
  CHECK(again.model == "1");
  CHECK(again.api_key == "sk-b1");
  CHECK(f.inner->calls["t1/b1"] == 1);
  f.now += milliseconds(1);  // 5000 ms after the answer arrived: expired
  CHECK(f.cache.model_config("t1", "b1").model == "2");
  CHECK(f.inner->calls["t1/b1"] == 2);
}

TEST_CASE("model config cache: keyed by tenant and bot") {
  Fixture f;
  f.cache.model_config("t1", "b1");
  f.cache.model_config("t2", "b1");
  f.cache.model_config("t1", "b2");
  f.cache.model_config("t1b", "1");  // not confused with ("t1", "b1")
  CHECK(f.inner->calls.size() == 4);
  CHECK(f.inner->calls["t1/b1"] == 1);
}

TEST_CASE("model config cache: bounded, the least recently used goes") {
  Fixture f(3);
  f.cache.model_config("t", "a");
  f.cache.model_config("t", "b");
  f.cache.model_config("t", "c");
  f.cache.model_config("t", "a");  // a is now the most recent; b the least
  f.cache.model_config("t", "d");  // evicts b
  CHECK(f.cache.size() == 3);
  f.cache.model_config("t", "a");
  f.cache.model_config("t", "c");
  f.cache.model_config("t", "d");
  CHECK(f.inner->calls["t/a"] == 1);
  CHECK(f.inner->calls["t/c"] == 1);
  CHECK(f.inner->calls["t/d"] == 1);
  f.cache.model_config("t", "b");  // asked again
  CHECK(f.inner->calls["t/b"] == 2);
  CHECK(f.cache.size() == 3);
}

TEST_CASE("model config cache: errors are not cached") {
  Fixture f;
  f.inner->fail = true;
  CHECK_THROWS_AS(f.cache.model_config("t", "b"), botfactory::rpc::StatusError);
  CHECK(f.cache.size() == 0);
  f.inner->fail = false;
  CHECK(f.cache.model_config("t", "b").model == "2");
  CHECK(f.cache.model_config("t", "b").model == "2");
  CHECK(f.inner->calls["t/b"] == 2);
}

TEST_CASE("model config cache: 0 ms or 0 entries means no cache") {
  auto inner = std::make_shared<CountingSource>();
  CHECK(with_model_config_cache(inner, {milliseconds(0), 10}) == inner);
  CHECK(with_model_config_cache(inner, {milliseconds(5000), 0}) == inner);
  CHECK(with_model_config_cache(inner, {milliseconds(5000), 10}) != inner);
}
