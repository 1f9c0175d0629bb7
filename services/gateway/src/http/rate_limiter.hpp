#pragma once
// Token bucket for per-socket inbound rate limiting.

#include <algorithm>
#include <chrono>

namespace botfactory::gateway {

/// Refills `rate` tokens per second up to `burst`; each accepted event takes one. Not
/// thread-safe (one per socket, used on its strand). The clock is passed in for tests.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  /// Takes a token at `now`; false when the bucket is empty.
  bool take(std::chrono::steady_clock::time_point now) {
    if (last_ != std::chrono::steady_clock::time_point{}) {
      std::chrono::duration<double> elapsed = now - last_;
      tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed.count()) * rate_);
    }
    last_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace botfactory::gateway
