#include "botfactory/asio/bounded_worker_pool.hpp"

namespace botfactory::asio {

BoundedWorkerPool::BoundedWorkerPool(std::size_t threads, std::size_t capacity,
                                     QueuedOnDestroy on_destroy, std::function<void()> on_refused)
    : pool_(threads == 0 ? 1 : threads),
      capacity_(capacity == 0 ? 1 : capacity),
      on_destroy_(on_destroy),
      on_refused_(std::move(on_refused)) {}

BoundedWorkerPool::~BoundedWorkerPool() {
  if (on_destroy_ == QueuedOnDestroy::kRun) {
    pool_.join();  // every queued job runs
  } else {
    pool_.stop();  // queued handlers are destroyed unrun with the pool
    pool_.join();
  }
}

}  // namespace botfactory::asio
