#include "ws/ingest_lanes.hpp"

#include <algorithm>

#include "botfactory/metrics/registry.hpp"
#include "ws/ingest_limiter.hpp"

namespace botfactory::gateway {
namespace {

struct LaneMetrics {
  metrics::Gauge& depth;
  metrics::Counter& rejected_wait;
  metrics::Histogram& wait;
  metrics::Counter& reads_paused;

  static LaneMetrics& get() {
    auto& r = metrics::Registry::global();
    static LaneMetrics m{
        r.gauge("gateway_ingest_queue_depth",
                "message.send waiting behind an earlier message of its conversation"),
        r.counter("gateway_ingest_rejected_total",
                  "message.send refused with unavailable before PostMessage, by reason",
                  R"(reason="queue_wait")"),
        r.histogram("gateway_ingest_queue_wait_seconds",
                    "Time from admitting a message.send to starting its PostMessage",
                    {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}),
        r.counter("gateway_ingest_reads_paused_total",
                  "A socket's reads paused at WS_MAX_IN_FLIGHT_PER_SOCKET messages in flight")};
    return m;
  }
};

double seconds(IngestLanes::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

IngestLanes::IngestLanes(IngestLimiter& limiter, std::size_t max_per_socket,
                         std::chrono::milliseconds max_queue_wait)
    : limiter_(limiter),
      max_per_socket_(std::max<std::size_t>(max_per_socket, 1)),
      max_wait_(std::max(max_queue_wait, std::chrono::milliseconds(1))) {
  LaneMetrics::get();
}

IngestLanes::~IngestLanes() {
  LaneMetrics::get().depth.add(-static_cast<std::int64_t>(waiting_));
  give_back(held_);
}

std::int64_t IngestLanes::retry_after_ms() const { return limiter_.retry_after_ms(); }

void IngestLanes::count_read_pause() { LaneMetrics::get().reads_paused.inc(); }

void IngestLanes::give_back(std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) limiter_.release();
  held_ -= n;
}

IngestLanes::Admission IngestLanes::admit(ClientFrame frame, Clock::time_point now) {
  if (!limiter_.try_acquire()) return {Verdict::kRefused, std::move(frame)};
  ++held_;
  auto& lane = lanes_[frame.conversation_id];
  if (!lane.on_wire) {
    lane.on_wire = true;
    LaneMetrics::get().wait.observe(0);
    return {Verdict::kStart, std::move(frame)};
  }
  lane.waiting.push_back({std::move(frame), now});
  ++waiting_;
  LaneMetrics::get().depth.add(1);
  return {Verdict::kWaiting, {}};
}

void IngestLanes::advance(Lane& lane, Clock::time_point now, Outcome& out) {
  auto& m = LaneMetrics::get();
  // Admission times grow along a lane, so the expired ones are a prefix.
  while (!lane.waiting.empty() && now - lane.waiting.front().admitted > max_wait_) {
    m.wait.observe(seconds(now - lane.waiting.front().admitted));
    m.rejected_wait.inc();
    out.refused.push_back(std::move(lane.waiting.front().frame));
    lane.waiting.pop_front();
    --waiting_;
    m.depth.add(-1);
    give_back(1);
  }
  if (lane.on_wire || lane.waiting.empty()) return;
  m.wait.observe(seconds(now - lane.waiting.front().admitted));
  out.start.push_back(std::move(lane.waiting.front().frame));
  lane.waiting.pop_front();
  --waiting_;
  m.depth.add(-1);
  lane.on_wire = true;
}

IngestLanes::Outcome IngestLanes::finished(const std::string& conversation_id,
                                           Clock::time_point now) {
  Outcome out;
  auto it = lanes_.find(conversation_id);
  if (it == lanes_.end() || !it->second.on_wire) return out;  // not started here: ignored
  it->second.on_wire = false;
  give_back(1);
  advance(it->second, now, out);
  if (!it->second.on_wire && it->second.waiting.empty()) lanes_.erase(it);
  return out;
}

IngestLanes::Outcome IngestLanes::expire(Clock::time_point now) {
  Outcome out;
  for (auto& [id, lane] : lanes_) {
    if (lane.on_wire) {
      // Only the expired prefix goes; the rest waits for the call on the wire.
      Lane expired;
      while (!lane.waiting.empty() && now - lane.waiting.front().admitted > max_wait_) {
        expired.waiting.push_back(std::move(lane.waiting.front()));
        lane.waiting.pop_front();
      }
      expired.on_wire = true;  // advance() refuses them and starts nothing
      advance(expired, now, out);
    } else {
      advance(lane, now, out);
    }
  }
  std::erase_if(lanes_, [](const auto& entry) {
    return !entry.second.on_wire && entry.second.waiting.empty();
  });
  return out;
}

std::optional<IngestLanes::Clock::time_point> IngestLanes::next_expiry() const {
  std::optional<Clock::time_point> first;
  for (const auto& [id, lane] : lanes_) {
    if (lane.waiting.empty()) continue;
    auto at = lane.waiting.front().admitted + max_wait_;
    if (!first || at < *first) first = at;
  }
  return first;
}

void IngestLanes::clear() {
  std::size_t dropped = 0;
  for (auto& [id, lane] : lanes_) {
    dropped += lane.waiting.size();
    lane.waiting.clear();
  }
  LaneMetrics::get().depth.add(-static_cast<std::int64_t>(dropped));
  waiting_ -= dropped;
  give_back(dropped);
  std::erase_if(lanes_, [](const auto& entry) { return !entry.second.on_wire; });
}

}  // namespace botfactory::gateway
