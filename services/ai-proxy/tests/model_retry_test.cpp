// When a model request is tried again (model_retry.hpp): before the first token only, 5xx and
// transport failures with exponential back-off and jitter, 429 only with a Retry-After that fits
// the budget, never other 4xx, never past the attempts or the deadline.

#include <catch2/catch.hpp>

#include "model_retry.hpp"

using namespace botfactory;
using namespace botfactory::ai;
using namespace std::chrono_literals;

namespace {

AttemptOutcome http_status(long status, long retry_after = -1) {
  AttemptOutcome o;
  o.status = status;
  o.retry_after_s = retry_after;
  return o;
}

AttemptOutcome transport(http::Failure failure) {
  AttemptOutcome o;
  o.failure = failure;
  return o;
}

}  // namespace

TEST_CASE("retry_delay: what is retried") {
  RetrySettings s;  // 2 retries, 200 ms base, 2000 ms cap
  CHECK(retry_delay(s, http_status(500), 0, 10s, 0.0) == 100ms);  // 200 · (0.5 + 0)
  CHECK(retry_delay(s, http_status(503), 0, 10s, 0.999).value() <= 200ms);
  CHECK(retry_delay(s, http_status(502), 1, 10s, 0.0) == 200ms);  // 400 · 0.5
  CHECK(retry_delay(s, transport(http::Failure::kConnect), 0, 10s, 0.0).has_value());
  CHECK(retry_delay(s, transport(http::Failure::kConnectTimeout), 0, 10s, 0.0).has_value());
  CHECK(retry_delay(s, transport(http::Failure::kFirstByteTimeout), 0, 10s, 0.0).has_value());
  // 429: only with a Retry-After that fits the budget, after exactly that long.
  CHECK(retry_delay(s, http_status(429, 2), 0, 10s, 0.5) == 2000ms);
  CHECK_FALSE(retry_delay(s, http_status(429, 7), 0, 4s, 0.5));
  CHECK_FALSE(retry_delay(s, http_status(429), 0, 10s, 0.5));
}

TEST_CASE("retry_delay: what is not") {
  RetrySettings s;
  for (long status : {400L, 401L, 403L, 404L, 422L}) CHECK_FALSE(retry_delay(s, http_status(status), 0, 10s, 0.0));
  CHECK_FALSE(retry_delay(s, http_status(500), 2, 10s, 0.0));  // attempts used up
  CHECK_FALSE(retry_delay(s, http_status(500), 0, 50ms, 0.0));  // the wait does not fit the deadline
  CHECK_FALSE(retry_delay(s, transport(http::Failure::kTimeout), 0, 10s, 0.0));  // the whole budget went
  CHECK_FALSE(retry_delay(s, transport(http::Failure::kCancelled), 0, 10s, 0.0));
  auto after_text = http_status(200);
  after_text.failure = http::Failure::kTransport;
  after_text.text_delivered = true;
  CHECK_FALSE(retry_delay(s, after_text, 0, 10s, 0.0));  // never after a delta went out
  RetrySettings none;
  none.max_retries = 0;
  CHECK_FALSE(retry_delay(none, http_status(500), 0, 10s, 0.0));
  // The cap.
  CHECK(retry_delay(RetrySettings{10, 200ms, 1000ms}, http_status(500), 8, 100s, 0.999).value() <= 1000ms);
}
