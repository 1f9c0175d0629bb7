#pragma once
// The request id of the work running on the current thread, so that every log line and every
// outgoing gRPC call of one request carries it (gateway X-Request-Id → gRPC metadata
// `x-request-id` → the services' logs).

#include <string>
#include <string_view>

namespace botfactory::common {

/// The current thread's request id; empty when it runs no request.
const std::string& current_request_id();

/// Makes `id` the current thread's request id until destruction, then restores the previous
/// one. Ids longer than 64 bytes are cut (they come from clients).
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string_view id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

}  // namespace botfactory::common
