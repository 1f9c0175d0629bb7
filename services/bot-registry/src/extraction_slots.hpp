#pragma once
// A bound on how many knowledge documents one bot-registry process parses at once: parsing is
// linear in time but a hostile 8 MiB Markdown paragraph can cost md4c about 20× its size in
// memory (docs/benchmarks.md "Knowledge extraction"), so N concurrent uploads must not be
// able to take N × that.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace botfactory::registry {

/// A counting semaphore whose waits end with the caller's deadline. Thread-safe.
class ExtractionSlots {
 public:
  /// `slots` >= 1 parses at once (REGISTRY_EXTRACT_CONCURRENCY).
  explicit ExtractionSlots(int slots) : free_(slots) {}

  /// Holds one slot until destruction.
  class Slot {
   public:
    explicit Slot(ExtractionSlots& owner) : owner_(&owner) {}
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_) owner_->release();
    }

   private:
    ExtractionSlots* owner_;
  };

  /// Waits for a free slot, at most `max_wait` and never past the deadline of the gRPC call
  /// this thread serves (common/call_deadline.hpp). Throws common::CallAbandoned when that
  /// caller gave up meanwhile, rpc::StatusError UNAVAILABLE "too many documents are being
  /// processed, try again" when no slot freed up in time.
  Slot acquire(std::chrono::milliseconds max_wait);

 private:
  void release();

  std::mutex mutex_;
  std::condition_variable freed_;
  int free_;
};

}  // namespace botfactory::registry
