#include "ws/conversation_cursors.hpp"

#include <algorithm>

namespace botfactory::gateway {
namespace {

constexpr std::size_t kCatchupBatch = 256;  // frames taken from the hub per catch-up step

}  // namespace

ConversationCursors::Conversation* ConversationCursors::find(std::string_view conversation_id) {
  for (auto& c : conversations_) {
    if (c.id == conversation_id) return &c;
  }
  return nullptr;
}

const ConversationCursors::Conversation* ConversationCursors::find(
    std::string_view conversation_id) const {
  for (const auto& c : conversations_) {
    if (c.id == conversation_id) return &c;
  }
  return nullptr;
}

bool ConversationCursors::contains(std::string_view conversation_id) const {
  return find(conversation_id) != nullptr;
}

bool ConversationCursors::full_for(std::string_view conversation_id) const {
  return !contains(conversation_id) && conversations_.size() >= max_conversations_;
}

std::size_t ConversationCursors::buffered_bytes() const {
  std::size_t total = 0;
  for (const auto& c : conversations_) total += c.buffered_bytes;
  return total;
}

std::uint64_t ConversationCursors::join(const std::string& conversation_id, std::int64_t since_seq) {
  Conversation* c = find(conversation_id);
  if (c == nullptr) {
    conversations_.emplace_back();
    c = &conversations_.back();
    c->id = conversation_id;
  }
  c->last_seq = since_seq;
  clear_buffer(*c);
  c->replaying = true;  // buffer live frames until the replay is done
  c->announce = true;
  c->replay_again = false;
  c->paused = false;
  c->lagging = false;
  return ++c->generation;
}

void ConversationCursors::ready(const std::string& conversation_id, std::uint64_t generation) {
  Conversation* c = find(conversation_id);
  if (c == nullptr || c->generation != generation || !c->replaying) return;
  fetch_page(*c);
}

bool ConversationCursors::leave(std::string_view conversation_id) {
  auto it = std::find_if(conversations_.begin(), conversations_.end(),
                         [&](const Conversation& c) { return c.id == conversation_id; });
  if (it == conversations_.end()) return false;
  conversations_.erase(it);
  return true;
}

std::vector<std::string> ConversationCursors::clear() {
  std::vector<std::string> ids;
  ids.reserve(conversations_.size());
  for (auto& c : conversations_) ids.push_back(std::move(c.id));
  conversations_.clear();
  return ids;
}

// --- replay ------------------------------------------------------------------------------------

void ConversationCursors::start_replay(Conversation& c, bool announce) {
  if (c.replaying) {
    c.replay_again = true;
    return;
  }
  c.replaying = true;
  c.announce = c.announce || announce;
  ++c.generation;
  fetch_page(c);
}

void ConversationCursors::fetch_page(Conversation& c) {
  if (fetching_ || !port_.drained()) {
    c.paused = true;  // resumed by drained() or when the read in flight returns
    return;
  }
  c.paused = false;
  fetching_ = true;
  port_.fetch(c.id, c.last_seq, c.generation);
}

void ConversationCursors::page(const std::string& conversation_id, std::uint64_t generation,
                               std::vector<SeqFrame>& frames, bool more) {
  fetching_ = false;
  Conversation* c = find(conversation_id);
  if (c != nullptr && c->generation == generation && c->replaying) {
    for (auto& f : frames) {
      if (f.seq <= c->last_seq) continue;
      if (!port_.replay_fits(f.frame->size())) {  // the rest is read again later
        more = true;
        break;
      }
      c->last_seq = f.seq;
      port_.send(f.frame);
    }
    if (more) {
      fetch_page(*c);
    } else {
      finish_replay(*c);
    }
  }
  drained();  // another conversation may be waiting for the read slot
}

bool ConversationCursors::fetch_failed(const std::string& conversation_id,
                                       std::uint64_t generation) {
  fetching_ = false;
  auto it = std::find_if(conversations_.begin(), conversations_.end(),
                         [&](const Conversation& c) { return c.id == conversation_id; });
  bool dropped = it != conversations_.end() && it->generation == generation;
  if (dropped) conversations_.erase(it);
  drained();
  return dropped;
}

void ConversationCursors::finish_replay(Conversation& c) {
  c.replaying = false;
  c.paused = false;
  if (c.announce) {
    c.announce = false;
    port_.send(port_.joined_frame(c.id, c.last_seq));
  }
  if (c.lagging) {  // frames were skipped during the replay: catch up once drained
    c.replay_again = false;
    return;
  }
  auto buffered = std::move(c.buffered);
  clear_buffer(c);
  std::sort(buffered.begin(), buffered.end(),
            [](const SeqFrame& a, const SeqFrame& b) { return a.seq < b.seq; });
  for (std::size_t i = 0; i < buffered.size(); ++i) {
    auto& f = buffered[i];
    if (f.seq <= c.last_seq) continue;
    if (f.seq > c.last_seq + 1) {  // a publish was lost meanwhile: read the gap first
      for (std::size_t k = i; k < buffered.size(); ++k) {
        c.buffered_bytes += buffered[k].frame->size();
        c.buffered.push_back(std::move(buffered[k]));
      }
      c.replay_again = false;
      return start_replay(c, false);
    }
    if (!port_.live_fits(f.frame->size())) return fall_behind(c);
    c.last_seq = f.seq;
    port_.send(f.frame);
  }
  if (c.replay_again) {
    c.replay_again = false;
    start_replay(c, false);
  }
}

// --- live events -------------------------------------------------------------------------------

void ConversationCursors::live(std::string_view conversation_id, const Frame& frame,
                               std::int64_t seq) {
  Conversation* c = find(conversation_id);
  if (c == nullptr) return;
  if (seq == 0) {  // ephemeral (message.delta): no ordering, not stored; dropped when behind
    if (!port_.live_fits(frame->size())) return port_.count(CursorPort::Event::kDeltaDropped, 1);
    return port_.send(frame);
  }
  if (c->lagging) return;  // caught up once the queue drained
  if (c->replaying) {
    if (c->buffered.size() >= max_buffered_ ||
        !port_.live_fits(c->buffered_bytes + frame->size())) {
      return fall_behind(*c);
    }
    c->buffered_bytes += frame->size();
    c->buffered.push_back(SeqFrame{seq, frame});
    return;
  }
  if (seq <= c->last_seq) return;  // already sent (replay overlap or duplicate publish)
  if (seq > c->last_seq + 1) {
    // A publish was lost: fetch the gap from storage; this frame follows from the buffer.
    c->buffered_bytes += frame->size();
    c->buffered.push_back(SeqFrame{seq, frame});
    return start_replay(*c, false);
  }
  if (!port_.live_fits(frame->size())) return fall_behind(*c);
  c->last_seq = seq;
  port_.send(frame);
}

void ConversationCursors::resync() {
  for (auto& c : conversations_) start_replay(c, false);
}

void ConversationCursors::fall_behind(Conversation& c) {
  c.lagging = true;
  clear_buffer(c);
  port_.count(CursorPort::Event::kLagging, 1);
}

void ConversationCursors::clear_buffer(Conversation& c) {
  std::vector<SeqFrame>().swap(c.buffered);
  c.buffered_bytes = 0;
}

void ConversationCursors::drained() {
  for (std::size_t i = 0; i < conversations_.size(); ++i) {
    if (!port_.drained()) return;
    auto& c = conversations_[i];
    if (c.paused && c.replaying) fetch_page(c);
    if (c.lagging && !c.replaying) catch_up(c);
  }
}

/// Sends what `c` skipped while lagging, as far as the budget allows: from the hub's recent
/// frames when they cover it (the common case: no upstream call), else by a replay from storage.
void ConversationCursors::catch_up(Conversation& c) {
  thread_local std::vector<SeqFrame> frames;
  frames.clear();
  if (!port_.recent_since(c.id, c.last_seq, kCatchupBatch, frames)) {
    port_.count(CursorPort::Event::kCatchupStorage, 1);
    c.lagging = false;
    return start_replay(c, false);
  }
  std::size_t sent = 0;
  for (auto& f : frames) {
    if (!port_.live_fits(f.frame->size())) break;
    c.last_seq = f.seq;
    port_.send(f.frame);
    ++sent;
  }
  if (sent > 0) port_.count(CursorPort::Event::kCatchupMemoryFrames, sent);
  c.lagging = sent < frames.size() || frames.size() == kCatchupBatch;  // more: after the next drain
  frames.clear();
}

}  // namespace botfactory::gateway
