#include "ws/outbound_queue.hpp"

#include <algorithm>
#include <memory>

namespace botfactory::gateway {
namespace {

constexpr std::size_t kIdleCapacity = 16;  // queue capacity an idle socket keeps

}  // namespace

void OutboundQueue::count(std::ptrdiff_t delta) {
  bytes_ = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(bytes_) + delta);
  peak_ = std::max(peak_, bytes_);
}

bool OutboundQueue::push(Frame payload, WsOpcode opcode) {
  if (closed_) return false;
  std::size_t size = cost(payload->size());
  if (bytes_ + size > hard_cap_) return false;
  count(static_cast<std::ptrdiff_t>(size));
  waiting_.push_back(OutFrame{std::move(payload), opcode});
  return true;
}

bool OutboundQueue::push_pong(std::string payload) {
  if (closed_) return false;
  if (waiting_pong_ != kNone) {
    auto& pong = waiting_[waiting_pong_];
    count(static_cast<std::ptrdiff_t>(payload.size()) -
          static_cast<std::ptrdiff_t>(pong.payload->size()));
    pong.payload = std::make_shared<const std::string>(std::move(payload));
    return true;
  }
  if (!push(std::make_shared<const std::string>(std::move(payload)), WsOpcode::kPong)) return false;
  waiting_pong_ = waiting_.size() - 1;
  return true;
}

void OutboundQueue::close(std::string payload) {
  if (closed_) return;
  for (const auto& frame : waiting_) count(-static_cast<std::ptrdiff_t>(cost(frame.payload->size())));
  waiting_.clear();
  waiting_pong_ = kNone;
  auto frame = std::make_shared<const std::string>(std::move(payload));
  count(static_cast<std::ptrdiff_t>(cost(frame->size())));
  waiting_.push_back(OutFrame{std::move(frame), WsOpcode::kClose});
  closed_ = true;
}

std::span<const OutFrame> OutboundQueue::take_batch(std::size_t max) {
  if (in_flight()) return {};
  if (batch_begin_ >= sending_.size()) {
    sending_.clear();
    batch_begin_ = batch_end_ = 0;
    if (waiting_.empty()) {
      // An idle socket keeps no large buffers.
      if (waiting_.capacity() > kIdleCapacity) std::vector<OutFrame>().swap(waiting_);
      if (sending_.capacity() > kIdleCapacity) std::vector<OutFrame>().swap(sending_);
      return {};
    }
    sending_.swap(waiting_);
    waiting_pong_ = kNone;  // a pong being written is answered; a new ping gets a new one
  }
  batch_end_ = std::min(sending_.size(), batch_begin_ + max);
  return std::span<const OutFrame>(sending_.data() + batch_begin_, batch_end_ - batch_begin_);
}

void OutboundQueue::batch_written() {
  for (std::size_t i = batch_begin_; i < batch_end_; ++i) {
    count(-static_cast<std::ptrdiff_t>(cost(sending_[i].payload->size())));
    sending_[i].payload.reset();
  }
  batch_begin_ = batch_end_;
}

}  // namespace botfactory::gateway
