#include "extraction_slots.hpp"

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::registry {

ExtractionSlots::Slot ExtractionSlots::acquire(std::chrono::milliseconds max_wait) {
  auto until = std::chrono::system_clock::now() + max_wait;
  if (auto deadline = common::current_call_deadline(); deadline && *deadline < until) until = *deadline;
  {
    std::unique_lock lock(mutex_);
    if (freed_.wait_until(lock, until, [this] { return free_ > 0; })) {
      --free_;
      return Slot(*this);
    }
  }
  common::throw_if_call_abandoned();
  throw rpc::StatusError(grpc::StatusCode::UNAVAILABLE,
                         "too many documents are being processed, try again");
}

void ExtractionSlots::release() {
  {
    std::lock_guard lock(mutex_);
    ++free_;
  }
  freed_.notify_one();
}

}  // namespace botfactory::registry
