#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "pipeline/worker_pool.hpp"

using botfactory::channel::WorkerPool;

TEST_CASE("worker pool runs jobs, survives throwing jobs, and bounds its queue") {
  std::mutex mutex;
  std::condition_variable changed;
  bool release = false;
  int done = 0;

  WorkerPool pool(1, 2, "test-pool");
  // Occupy the only worker until released, so the queue fills deterministically.
  REQUIRE(pool.try_submit([&] {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return release; });
    ++done;
    changed.notify_all();
  }));
  // The blocking job may still be queued for a moment; wait until the worker took it.
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       pool.queued() != 0 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::yield();
  }
  REQUIRE(pool.queued() == 0);
  REQUIRE(pool.try_submit([] { throw std::runtime_error("boom"); }));
  REQUIRE(pool.try_submit([&] {
    std::lock_guard lock(mutex);
    ++done;
    changed.notify_all();
  }));
  CHECK_FALSE(pool.try_submit([] {}));  // capacity 2 reached
  CHECK(pool.queued() == 2);

  {
    std::unique_lock lock(mutex);
    release = true;
    changed.notify_all();
    REQUIRE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return done == 2; }));
  }
  pool.shutdown();
  CHECK_FALSE(pool.try_submit([] {}));
}

TEST_CASE("keyed worker pool runs every job, never more than the running cap of one key") {
  constexpr int kKeys = 5;
  constexpr int kJobsPerKey = 40;
  std::array<std::atomic<int>, kKeys> running{};
  std::atomic<int> over_cap{0};
  std::atomic<int> done{0};
  {
    WorkerPool pool(3, botfactory::channel::FairQueueLimits{1000, 100, 1}, "test-keyed");
    for (int i = 0; i < kJobsPerKey; ++i) {
      for (int k = 0; k < kKeys; ++k) {
        REQUIRE(pool.submit("tenant-" + std::to_string(k), [&, k] {
          if (++running[k] > 1) ++over_cap;
          std::this_thread::yield();
          --running[k];
          ++done;
        }) == botfactory::channel::FairQueue::Refusal::kNone);
      }
    }
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         done < kKeys * kJobsPerKey && std::chrono::steady_clock::now() < deadline;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(pool.queued() == 0);
  }
  CHECK(done == kKeys * kJobsPerKey);
  CHECK(over_cap == 0);
}
