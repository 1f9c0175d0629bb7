#include "chat/append_committer.hpp"

#include <algorithm>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/retry_after.hpp"

namespace botfactory::channel {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<double>& batch_buckets() {
  static const std::vector<double> buckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
  return buckets;
}

}  // namespace

struct AppendCommitter::Lane {
  std::mutex mutex;
  std::condition_variable fill;  // a message was queued (the leader's max_wait)
  std::condition_variable idle;  // no leader any more (the destructor)
  std::deque<Item*> queue;
  bool leading = false;  // a caller is committing a batch of this lane
  bool stopping = false;
};

struct AppendCommitter::Item {
  enum class State { kQueued, kLead, kDone };
  const NewMessage* message = nullptr;
  Clock::time_point queued{};
  std::optional<std::chrono::system_clock::time_point> deadline{};
  State state = State::kQueued;  // guarded by the lane's mutex
  bool barrier = false;  // a Gate's place: never committed, ends the batch before it
  std::condition_variable changed{};
  AppendOutcome outcome{};
};

AppendCommitter::AppendCommitter(ChatStore& store, CommitSettings settings,
                                 metrics::Registry& registry, CommittedSink sink)
    : store_(store),
      settings_(settings),
      sink_(std::move(sink)),
      batch_size_(registry.histogram("chat_commit_batch_size",
                                     "Messages committed together in one transaction",
                                     batch_buckets())),
      queue_depth_(registry.gauge("chat_commit_queue_depth",
                                  "Messages waiting for the chat committer")),
      queue_wait_(registry.histogram("chat_commit_queue_wait_seconds",
                                     "Time a message waited for the chat committer",
                                     metrics::latency_buckets())),
      commit_seconds_(registry.histogram("chat_commit_seconds",
                                         "Time to commit and publish one batch of messages",
                                         metrics::latency_buckets())),
      rejected_full_(registry.counter("chat_commit_rejected_total",
                                      "Messages refused before the chat committer",
                                      R"(reason="queue_full")")),
      rejected_deadline_(registry.counter("chat_commit_rejected_total",
                                          "Messages refused before the chat committer",
                                          R"(reason="deadline")")),
      retried_rounds_(registry.counter("chat_commit_retried_rounds_total",
                                       "Transactions run again without a failing message")) {
  settings_.max_batch = std::max<std::size_t>(settings_.max_batch, 1);
  settings_.max_queue = std::max<std::size_t>(settings_.max_queue, 1);
  settings_.lanes = std::max<std::size_t>(settings_.lanes, 1);
  lane_queue_ = (settings_.max_queue + settings_.lanes - 1) / settings_.lanes;
  for (std::size_t i = 0; i < settings_.lanes; ++i) {
    lanes_.push_back(std::make_unique<Lane>());
    gates_.push_back(std::make_unique<Gate>(*this, i));
  }
}

AppendCommitter::Gate::Gate(AppendCommitter& owner, std::size_t lane)
    : owner_(owner), lane_(lane), barrier_(std::make_unique<Item>()) {
  barrier_->barrier = true;
}

AppendCommitter::Gate::~Gate() = default;

void AppendCommitter::Gate::lock() {
  holder_.lock();
  auto& lane = *owner_.lanes_[lane_];
  std::unique_lock lock(lane.mutex);
  barrier_->state = Item::State::kQueued;
  lane.queue.push_back(barrier_.get());
  if (!lane.leading) {
    lane.leading = true;  // an idle lane: held at once
    barrier_->state = Item::State::kLead;
    return;
  }
  lane.fill.notify_one();  // a leader waiting for its batch to fill commits what it has
  barrier_->changed.wait(lock, [&] { return barrier_->state != Item::State::kQueued; });
}

void AppendCommitter::Gate::unlock() {
  {
    auto& lane = *owner_.lanes_[lane_];
    std::lock_guard lock(lane.mutex);
    lane.queue.pop_front();  // the barrier: the head while the lane is held
    barrier_->state = Item::State::kDone;
    owner_.pass_lead(lane);
  }
  holder_.unlock();
}

AppendCommitter::Lane& AppendCommitter::lane_of(const std::string& conversation_id) {
  return *lanes_[std::hash<std::string>{}(conversation_id) % lanes_.size()];
}

AppendCommitter::Gate& AppendCommitter::gate(const std::string& conversation_id) {
  return *gates_[std::hash<std::string>{}(conversation_id) % lanes_.size()];
}

void AppendCommitter::pass_lead(Lane& lane) {
  if (!lane.queue.empty()) {
    // What queued meanwhile is next; its first caller leads it (or a gate holds the lane).
    lane.queue.front()->state = Item::State::kLead;
    lane.queue.front()->changed.notify_one();
  } else {
    lane.leading = false;
    lane.idle.notify_all();
  }
}

AppendCommitter::~AppendCommitter() {
  for (auto& lane : lanes_) {
    std::unique_lock lock(lane->mutex);
    lane->stopping = true;
    lane->idle.wait(lock, [&] { return !lane->leading; });
  }
}

std::optional<AppendResult> AppendCommitter::append(const NewMessage& message) {
  Item item{&message, Clock::now(), common::current_call_deadline()};
  auto& lane = lane_of(message.conversation_id);
  std::unique_lock lock(lane.mutex);
  if (lane.stopping || lane.queue.size() >= lane_queue_) {
    rejected_full_.inc();
    std::size_t waiting = lane.queue.size();
    lock.unlock();
    rpc::throw_retry_later(grpc::StatusCode::UNAVAILABLE,
                           "chat store busy: " + std::to_string(waiting) +
                               " messages waiting to be stored; retry in 1 s",
                           1);
  }
  lane.queue.push_back(&item);
  queue_depth_.add(1);
  if (!lane.leading) {
    lane.leading = true;  // an idle lane: this caller commits, no thread hand-off
    item.state = Item::State::kLead;
  } else {
    lane.fill.notify_one();
    item.changed.wait(lock, [&] { return item.state != Item::State::kQueued; });
  }
  if (item.state == Item::State::kLead) lead(lane, lock);
  // kDone: the leader of this item's batch answered it.
  if (item.outcome.error) std::rethrow_exception(item.outcome.error);
  return std::move(item.outcome.stored);
}

void AppendCommitter::lead(Lane& lane, std::unique_lock<std::mutex>& lock) {
  // The head of the queue is this caller's own item: one batch, then the lead passes on. A
  // batch ends before a gate's barrier (what queued after it commits after the gate's holder).
  auto messages_at_head = [&] {
    std::size_t n = 0;
    while (n < lane.queue.size() && n < settings_.max_batch && !lane.queue[n]->barrier) ++n;
    return n;
  };
  auto barrier_waits = [&] {
    return std::any_of(lane.queue.begin(), lane.queue.end(), [](const Item* i) { return i->barrier; });
  };
  if (settings_.max_wait.count() > 0 && lane.queue.size() < settings_.max_batch) {
    lane.fill.wait_for(lock, settings_.max_wait, [&] {
      return lane.queue.size() >= settings_.max_batch || barrier_waits();
    });
  }
  std::size_t n = messages_at_head();
  std::vector<Item*> batch(lane.queue.begin(), lane.queue.begin() + static_cast<std::ptrdiff_t>(n));
  lane.queue.erase(lane.queue.begin(), lane.queue.begin() + static_cast<std::ptrdiff_t>(n));
  queue_depth_.add(-static_cast<std::int64_t>(n));
  lock.unlock();
  commit(batch);  // fills every item's outcome
  lock.lock();
  for (auto* item : batch) {
    item->state = Item::State::kDone;
    item->changed.notify_one();  // under the mutex: the item outlives the notify
  }
  pass_lead(lane);
}

void AppendCommitter::commit(std::vector<Item*>& batch) {
  auto started = Clock::now();
  auto wall = std::chrono::system_clock::now();
  std::vector<Item*> live;
  std::vector<const NewMessage*> messages;
  live.reserve(batch.size());
  messages.reserve(batch.size());
  for (auto* item : batch) {
    queue_wait_.observe(std::chrono::duration<double>(started - item->queued).count());
    if (item->deadline && *item->deadline <= wall) {
      // Its caller gave up while it waited: not stored (the caller was told it failed).
      rejected_deadline_.inc();
      item->outcome.error = std::make_exception_ptr(
          common::CallAbandoned(common::CallAbandoned::Reason::kDeadlineExceeded));
      continue;
    }
    live.push_back(item);
    messages.push_back(item->message);
  }
  if (live.empty()) return;
  batch_size_.observe(static_cast<double>(live.size()));
  std::vector<AppendOutcome> outcomes;
  try {
    int rounds = 1;
    outcomes = store_.append_batch(messages, &rounds);
    if (rounds > 1) retried_rounds_.inc(static_cast<std::uint64_t>(rounds - 1));
  } catch (...) {  // no connection (pool exhausted, database down): nothing was stored
    auto error = std::current_exception();
    for (auto* item : live) item->outcome.error = error;
    return;
  }
  try {
    sink_(messages, outcomes);
  } catch (const std::exception& e) {
    common::logger("chat")->error("publishing a committed batch failed: {}", e.what());
  }
  commit_seconds_.observe(std::chrono::duration<double>(Clock::now() - started).count());
  for (std::size_t i = 0; i < live.size(); ++i) live[i]->outcome = std::move(outcomes[i]);
}

}  // namespace botfactory::channel
