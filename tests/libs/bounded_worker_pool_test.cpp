// harden: the one bounded worker pool (libs/asio bounded_worker_pool.hpp) used by the gateway
// (WorkQueue: queued jobs dropped on destruction) and ai-proxy (WorkerPool: run). Merged from
// the gateway's worker-queue test; no timing: the one worker is held by a job the test releases.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "botfactory/asio/bounded_worker_pool.hpp"

using botfactory::asio::BoundedWorkerPool;
using botfactory::asio::QueuedOnDestroy;

namespace {

/// A job that holds a worker until release() (started() waits until it holds it).
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool started_ = false;
  bool released_ = false;

  auto job() {
    return [this] {
      std::unique_lock lock(mutex);
      started_ = true;
      cv.notify_all();
      cv.wait(lock, [this] { return released_; });
    };
  }
  void started() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [this] { return started_; });
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      released_ = true;
    }
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("the worker pool refuses jobs beyond its capacity instead of growing") {
  for (auto policy : {QueuedOnDestroy::kRun, QueuedOnDestroy::kDrop}) {
    int refused = 0;
    BoundedWorkerPool pool(1, 2, policy, [&] { ++refused; });
    CHECK(pool.capacity() == 2);
    Gate gate;
    std::atomic<int> ran{0};
    REQUIRE(pool.try_submit(gate.job()));  // occupies the only worker
    gate.started();
    CHECK(pool.try_submit([&] { ++ran; }));
    CHECK(pool.try_submit([&] { ++ran; }));
    CHECK(pool.waiting() == 2);
    CHECK_FALSE(pool.try_submit([&] { ++ran; }));  // full
    CHECK(refused == 1);
    gate.release();
    pool.join();  // an orderly shutdown runs what is queued, whatever the policy
    CHECK(ran == 2);
    CHECK(pool.waiting() == 0);
  }
}

TEST_CASE("zero threads or capacity are raised to one") {
  BoundedWorkerPool pool(0, 0, QueuedOnDestroy::kRun);
  CHECK(pool.capacity() == 1);
  std::atomic<int> ran{0};
  CHECK(pool.try_submit([&] { ++ran; }));
  pool.join();
  CHECK(ran == 1);
}

TEST_CASE("queued jobs on destruction: kRun runs them, kDrop destroys them unrun") {
  std::atomic<int> ran{0};
  auto token = std::make_shared<int>(0);  // held by every queued job
  Gate gate;
  SECTION("kRun (ai-proxy)") {
    auto pool = std::make_unique<BoundedWorkerPool>(1, 4, QueuedOnDestroy::kRun);
    REQUIRE(pool->try_submit(gate.job()));
    gate.started();
    for (int i = 0; i < 3; ++i) REQUIRE(pool->try_submit([&ran, token] { ++ran; }));
    // The destructor waits for the held job, then runs the queue: release from here.
    std::thread destroy([&] { pool.reset(); });
    gate.release();
    destroy.join();
    CHECK(ran == 3);
  }
  SECTION("kDrop (gateway): its first step, stop(), then the destructor") {
    auto pool = std::make_unique<BoundedWorkerPool>(1, 4, QueuedOnDestroy::kDrop);
    REQUIRE(pool->try_submit(gate.job()));
    gate.started();
    for (int i = 0; i < 3; ++i) REQUIRE(pool->try_submit([&ran, token] { ++ran; }));
    CHECK(token.use_count() == 4);
    pool->stop();    // what ~BoundedWorkerPool does first under kDrop
    gate.release();  // the held job finishes; nothing queued starts
    pool.reset();
    CHECK(ran == 0);
    CHECK(token.use_count() == 1);  // the queued jobs were destroyed with the pool
  }
}
