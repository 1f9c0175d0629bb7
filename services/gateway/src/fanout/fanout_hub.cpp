#include "fanout/fanout_hub.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>

#include "botfactory/common/logging.hpp"
#include "botfactory/redis/subscriber.hpp"
#include "gateway_metrics.hpp"
#include "ws/room_frames.hpp"

namespace botfactory::gateway {
namespace {

constexpr std::string_view kChannelPrefix = "chat:conv:";
constexpr std::string_view kMessageNewPrefix = R"({"type":"message.new")";
constexpr std::string_view kSeqKey = R"("seq":)";

std::string channel_of(std::string_view conversation_id) {
  std::string channel(kChannelPrefix);
  channel += conversation_id;
  return channel;
}

EventInfo classify_slow(std::string_view payload) {
  boost::system::error_code ec;
  auto value = boost::json::parse(payload, ec);
  if (ec || !value.is_object()) return {};
  const auto& object = value.as_object();
  auto type = object.find("type");
  if (type == object.end() || !type->value().is_string()) return {};
  const auto& name = type->value().as_string();
  // edits: message.edited / message.deleted take a seq of the stream like message.new.
  if (name != "message.new" && name != "message.edited" && name != "message.deleted") {
    return {true, 0};
  }
  auto seq = object.find("seq");
  if (seq == object.end() || !seq->value().is_int64() || seq->value().as_int64() <= 0) return {};
  return {true, seq->value().as_int64()};
}

}  // namespace

EventInfo classify_event(std::string_view payload) {
  if (payload.substr(0, kMessageNewPrefix.size()) == kMessageNewPrefix) {
    // chatwire writes conversation_id (a JSON string, so no unescaped quote inside) then seq.
    auto pos = payload.find(kSeqKey, kMessageNewPrefix.size());
    if (pos != std::string_view::npos) {
      const char* begin = payload.data() + pos + kSeqKey.size();
      const char* end = payload.data() + payload.size();
      std::int64_t seq = 0;
      auto [ptr, ec] = std::from_chars(begin, end, seq);
      if (ec == std::errc() && seq > 0 && ptr != end && (*ptr == ',' || *ptr == '}')) {
        return {true, seq};
      }
    }
  }
  return classify_slow(payload);
}

FanoutHub::FanoutHub(redis::Subscriber& subscriber, RecentWindow window)
    : subscriber_(subscriber), window_(window) {
  subscriber_.on_message(
      [this](std::string_view channel, std::string_view payload) { handle_message(channel, payload); });
  subscriber_.on_subscribed([this](std::string_view channel) { handle_subscribed(channel); });
  subscriber_.on_reconnect([this] { handle_reconnect(); });
}

void FanoutHub::watch(const std::string& conversation_id,
                      const std::shared_ptr<ConversationWatcher>& watcher,
                      std::function<void()> ready) {
  bool first = false;
  bool ready_now = false;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    auto [it, inserted] = entries_.try_emplace(conversation_id);
    Entry& entry = it->second;
    if (inserted) entry.id = std::make_shared<const std::string>(conversation_id);
    first = entry.watchers.empty();
    bool present = false;
    for (const auto& w : entry.watchers) present = present || w.key == watcher.get();
    if (!present) entry.watchers.push_back(Watch{watcher.get(), watcher});
    if (entry.confirmed || !subscriber_.connected()) {
      ready_now = true;
    } else {
      entry.waiting.push_back(std::move(ready));
    }
  }
  if (first) subscriber_.subscribe(channel_of(conversation_id));
  if (ready_now && ready) ready();
}

void FanoutHub::unwatch(const std::string& conversation_id, const ConversationWatcher* watcher) {
  bool last = false;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    auto it = entries_.find(std::string_view(conversation_id));
    if (it == entries_.end()) return;
    auto& watchers = it->second.watchers;
    std::erase_if(watchers, [&](const Watch& w) { return w.key == watcher || w.watcher.expired(); });
    if (watchers.empty()) {
      entries_.erase(it);
      last = true;
    }
  }
  if (last) subscriber_.unsubscribe(channel_of(conversation_id));
}

void FanoutHub::handle_message(std::string_view channel, std::string_view payload) {
  if (channel.substr(0, kChannelPrefix.size()) != kChannelPrefix) return;
  std::string_view conversation_id = channel.substr(kChannelPrefix.size());
  auto& metrics = GatewayMetrics::get();
  metrics.fanout_messages.inc();
  EventInfo info = classify_event(payload);
  if (!info.valid) {
    common::logger("fanout")->warn("dropping malformed event on {}", common::json_escape(channel));
    return;
  }
  // Reused between messages so that a delivery allocates nothing but the shared frame.
  thread_local std::vector<std::shared_ptr<ConversationWatcher>> snapshot;
  ConversationId id;
  auto frame = std::make_shared<const std::string>(payload);
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(conversation_id);
    if (it == entries_.end()) return;
    Entry& entry = it->second;
    id = entry.id;
    // Kept before any watcher sees it: a watcher that skips it while behind finds it here.
    if (info.seq > 0 && window_.max_frames == 0) {
      entry.evicted_seq = std::max(entry.evicted_seq, info.seq);  // nothing is kept
    } else if (info.seq > 0 && (entry.recent.size() == entry.recent_head ||
                                info.seq > entry.recent.back().seq)) {
      auto now = Clock::now();
      entry.recent.push_back(RecentFrame{info.seq, frame, now});
      trim(entry, now);
    }
    for (const auto& w : entry.watchers) {
      if (auto locked = w.watcher.lock()) snapshot.push_back(std::move(locked));
    }
  }
  if (snapshot.empty()) return;
  // Rooms: whether this frame ends someone's membership, decided here once for every socket.
  std::optional<MembershipEnd> ended;
  if (info.seq > 0) ended = membership_end(payload);
  const MembershipEnd* end = ended ? &*ended : nullptr;
  for (const auto& watcher : snapshot) watcher->on_event(id, frame, info.seq, end);
  metrics.fanout_deliveries.inc(snapshot.size());
  snapshot.clear();
}

void FanoutHub::trim(Entry& entry, Clock::time_point now) const {
  auto& recent = entry.recent;
  auto oldest = now - window_.max_age;
  while (entry.recent_head < recent.size() &&
         (recent.size() - entry.recent_head > window_.max_frames ||
          recent[entry.recent_head].at < oldest)) {
    entry.evicted_seq = recent[entry.recent_head].seq;
    recent[entry.recent_head].frame.reset();
    ++entry.recent_head;
  }
  if (entry.recent_head == recent.size()) {
    std::vector<RecentFrame>().swap(recent);  // an idle conversation keeps no buffer
    entry.recent_head = 0;
  } else if (entry.recent_head > 64 && entry.recent_head * 2 > recent.size()) {
    recent.erase(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(entry.recent_head));
    entry.recent_head = 0;
  }
}

bool FanoutHub::recent_since(std::string_view conversation_id, std::int64_t since_seq,
                             std::size_t max, std::vector<SeqFrame>& out) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(conversation_id);
  if (it == entries_.end()) return false;
  const Entry& entry = it->second;
  if (since_seq < entry.evicted_seq) return false;  // since_seq + 1 may be gone
  auto begin = entry.recent.begin() + static_cast<std::ptrdiff_t>(entry.recent_head);
  auto first = std::upper_bound(begin, entry.recent.end(), since_seq,
                                [](std::int64_t seq, const RecentFrame& f) { return seq < f.seq; });
  std::size_t start = out.size();
  std::int64_t expected = since_seq + 1;
  for (auto f = first; f != entry.recent.end() && out.size() - start < max; ++f, ++expected) {
    if (f->seq != expected) {  // a publish never reached this replica: storage has it
      out.resize(start);
      return false;
    }
    out.push_back(SeqFrame{f->seq, f->frame});
  }
  return true;
}

void FanoutHub::expire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : entries_) {
    if (entry.recent_head < entry.recent.size()) trim(entry, now);
  }
}

void FanoutHub::handle_subscribed(std::string_view channel) {
  if (channel.substr(0, kChannelPrefix.size()) != kChannelPrefix) return;
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(channel.substr(kChannelPrefix.size()));
    if (it == entries_.end()) return;
    it->second.confirmed = true;
    waiting.swap(it->second.waiting);
  }
  for (auto& ready : waiting) {
    if (ready) ready();
  }
}

void FanoutHub::handle_reconnect() {
  std::vector<std::shared_ptr<ConversationWatcher>> watchers;
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : entries_) {
      entry.confirmed = true;
      for (auto& ready : entry.waiting) waiting.push_back(std::move(ready));
      entry.waiting.clear();
      for (const auto& w : entry.watchers) {
        if (auto locked = w.watcher.lock()) watchers.push_back(std::move(locked));
      }
    }
  }
  std::sort(watchers.begin(), watchers.end());
  watchers.erase(std::unique(watchers.begin(), watchers.end()), watchers.end());
  common::logger("fanout")->info("Redis reconnected: re-syncing {} sockets", watchers.size());
  for (auto& ready : waiting) {
    if (ready) ready();
  }
  for (const auto& watcher : watchers) watcher->on_resync();
}

void FanoutHub::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  entries_.clear();
}

std::size_t FanoutHub::conversation_count() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace botfactory::gateway
