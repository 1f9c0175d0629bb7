// common::CallDeadline (the current call's deadline and cancellation, read by pg commits and
// long loops) and common::canonical_origin (allowed web origins).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/web_origin.hpp"

using namespace botfactory;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;
using Reason = common::CallAbandoned::Reason;

TEST_CASE("a thread that serves no call is never abandoned") {
  CHECK_FALSE(common::current_call_deadline());
  CHECK_FALSE(common::call_abandoned());
  CHECK_NOTHROW(common::throw_if_call_abandoned());
}

TEST_CASE("the current call's deadline and cancellation, scoped and restored") {
  std::atomic<bool> cancelled{false};
  {
    common::ScopedCallDeadline call(Clock::now() + 1h, [&] { return cancelled.load(); });
    REQUIRE(common::current_call_deadline());
    CHECK_FALSE(common::call_abandoned());
    cancelled = true;
    CHECK(common::call_abandoned() == Reason::kCancelled);
    CHECK_THROWS_AS(common::throw_if_call_abandoned(), common::CallAbandoned);
    {
      common::ScopedCallDeadline inner(Clock::now() - 1ms, {});
      CHECK(common::call_abandoned() == Reason::kDeadlineExceeded);
      try {
        common::throw_if_call_abandoned();
        FAIL("not thrown");
      } catch (const common::CallAbandoned& e) {
        CHECK(e.reason() == Reason::kDeadlineExceeded);
      }
    }
    CHECK(common::call_abandoned() == Reason::kCancelled);  // the outer call again
    // Other threads have their own (none).
    std::thread([] { CHECK_FALSE(common::call_abandoned()); }).join();
  }
  CHECK_FALSE(common::call_abandoned());
  // A call without a deadline (time_point::max) is only abandoned when cancelled.
  common::ScopedCallDeadline forever(Clock::time_point::max(), {});
  CHECK_FALSE(common::current_call_deadline());
  CHECK_FALSE(common::call_abandoned());
}

TEST_CASE("web origins are canonicalised per RFC 6454; anything else is refused") {
  CHECK(common::canonical_origin("https://shop.example") == "https://shop.example");
  CHECK(common::canonical_origin("HTTPS://Shop.Example:443") == "https://shop.example");
  CHECK(common::canonical_origin("http://shop.example:80") == "http://shop.example");
  CHECK(common::canonical_origin("http://shop.example:443") == "http://shop.example:443");
  CHECK(common::canonical_origin("http://localhost:8080") == "http://localhost:8080");
  CHECK(common::canonical_origin("http://127.0.0.1:3000") == "http://127.0.0.1:3000");
  CHECK(common::canonical_origin("http://[::1]:3000") == "http://[::1]:3000");
  CHECK(common::canonical_origin("https://xn--80ak6aa92e.com") == "https://xn--80ak6aa92e.com");
  for (const char* bad :
       {"", "null", "shop.example", "ftp://shop.example", "https://", "https://shop.example/",
        "https://shop.example/path", "https://shop.example?q", "https://shop.example#f",
        "https://user@shop.example", "https://shop.example:", "https://shop.example:0",
        "https://shop.example:65536", "https://shop.example:1x", "https://sh op.example",
        "https://shop..example", "https://.shop.example", "https://-shop.example",
        "https://магазин.example", "http://[::1", "http://[zz]", "http://[::1]x",
        "javascript://shop.example"}) {
    INFO(bad);
    CHECK_FALSE(common::canonical_origin(bad));
  }
  CHECK_FALSE(common::canonical_origin("https://" + std::string(250, 'a') + ".example"));
}
