// bench_channels: Telegram channel benchmark (docs/benchmarks.md "Telegram channel"). Runs the
// fake Telegram Bot API of channel-connector's tests (fake_telegram.hpp) for a fleet started by
// bench/run_channels.sh, which connects a bot in webhook mode to it. Then:
//   --mode latency: posts Telegram updates to the gateway's /webhooks/telegram/{channel_id} with
//     the X-Telegram-Bot-Api-Secret-Token header, open loop at each of --rates updates/s for
//     --duration s, spread round-robin over --chats chats (questions from --questions), and
//     measures from the update's scheduled send time to its sendMessage received at the fake
//     (p50/p90/p99/max), plus losses and duplicates (every update answered exactly once).
//   --mode burst: posts --burst-one updates of one chat and --burst-spread updates spread over
//     --burst-chats chats as fast as the webhook takes them, waits for every reply and reports
//     the max sendMessage count per chat and per bot in any sliding 1 s window at the fake.
// Handshake with the script: writes "<fake base url> <bot token>" to --handoff, then waits (up
// to --connect-timeout s) for setWebhook; the channel id is the webhook URL's last segment.
// Output: a markdown table on stdout, one JSON object per case on stderr lines "RESULT {...}".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "fake_telegram.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using botfactory::channel::testing_support::FakeTelegram;

namespace {

struct Options {
  std::string mode = "latency";
  std::string handoff;
  int gateway_port = 8080;
  std::vector<int> rates{50, 200};
  int duration_s = 10;
  int chats = 1000;
  int senders = 16;
  int drain_s = 30;
  int connect_timeout_s = 120;
  std::string questions;
  int burst_one = 100;
  int burst_spread = 300;
  int burst_chats = 50;
  std::int64_t chat_base = 1000000;
};

Options parse(int argc, char** argv) {
  Options o;
  CLI::App app{"Telegram webhook -> sendMessage latency and outbound rates (docs/benchmarks.md)",
               "bench_channels"};
  app.add_option("--mode", o.mode, "latency or burst")->check(CLI::IsMember({"latency", "burst"}));
  app.add_option("--handoff", o.handoff, "file to write \"<fake base url> <bot token>\" to")->required();
  app.add_option("--gateway-port", o.gateway_port, "gateway HTTP port on 127.0.0.1");
  app.add_option("--rates", o.rates, "updates per second, one case each")->delimiter(',');
  app.add_option("--duration", o.duration_s, "seconds of posting per rate")->check(CLI::Range(1, 600));
  app.add_option("--chats", o.chats, "chats the updates are spread over")->check(CLI::Range(1, 100000));
  app.add_option("--senders", o.senders, "HTTP keep-alive connections posting updates")
      ->check(CLI::Range(1, 256));
  app.add_option("--drain", o.drain_s, "seconds to wait for the last replies")->check(CLI::Range(1, 600));
  app.add_option("--connect-timeout", o.connect_timeout_s, "seconds to wait for setWebhook");
  app.add_option("--questions", o.questions, "questions.jsonl ({\"question\",\"lang\"}; en used)");
  app.add_option("--burst-one", o.burst_one, "burst: updates of the one chat");
  app.add_option("--burst-spread", o.burst_spread, "burst: updates spread over --burst-chats");
  app.add_option("--burst-chats", o.burst_chats, "burst: chats of the spread part")->check(CLI::Range(1, 10000));
  app.add_option("--chat-base", o.chat_base, "first Telegram chat id");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

std::vector<std::string> load_questions(const std::string& path) {
  std::vector<std::string> out;
  if (!path.empty()) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto v = json::parse(line).as_object();
      if (v.contains("lang") && v["lang"].as_string() != "en") continue;
      out.emplace_back(v["question"].as_string());
    }
  }
  if (out.empty()) out.emplace_back("What is Common Voice?");
  return out;
}

/// One update to post: its chat, body and scheduled send time.
struct Job {
  std::int64_t chat;
  std::string body;
  Clock::time_point scheduled;
};

/// Posts jobs to the webhook route over `senders` keep-alive connections; counts statuses.
class Poster {
 public:
  Poster(int port, std::string path, std::string secret, int senders)
      : port_(port), path_(std::move(path)), secret_(std::move(secret)) {
    for (int i = 0; i < senders; ++i) threads_.emplace_back([this] { run(); });
  }
  ~Poster() { finish(); }
  void push(Job job) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(job));
    }
    ready_.notify_one();
  }
  void finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::atomic<int> ok{0}, failed{0};
  std::atomic<long long> ack_us_max{0};

 private:
  void run() {
    asio::io_context io;
    std::unique_ptr<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      for (int attempt = 0; attempt < 2; ++attempt) {
        try {
          if (!stream) {
            stream = std::make_unique<beast::tcp_stream>(io);
            stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                    static_cast<unsigned short>(port_)));
          }
          http::request<http::string_body> req{http::verb::post, path_, 11};
          req.set(http::field::host, "127.0.0.1");
          req.set(http::field::content_type, "application/json");
          req.set("X-Telegram-Bot-Api-Secret-Token", secret_);
          req.keep_alive(true);
          req.body() = job.body;
          req.prepare_payload();
          http::write(*stream, req);
          http::response<http::string_body> res;
          http::read(*stream, buffer, res);
          auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - job.scheduled).count();
          long long prev = ack_us_max.load();
          while (us > prev && !ack_us_max.compare_exchange_weak(prev, us)) {}
          if (res.result_int() == 200) ++ok;
          else {
            ++failed;
            std::cerr << "webhook answered " << res.result_int() << ": " << res.body() << "\n";
          }
          if (!res.keep_alive()) stream.reset();
          break;
        } catch (const std::exception& e) {
          stream.reset();
          if (attempt == 1) {
            ++failed;
            std::cerr << "webhook post failed: " << e.what() << "\n";
          }
        }
      }
    }
  }
  int port_;
  std::string path_, secret_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> queue_;
  bool done_ = false;
  std::vector<std::thread> threads_;
};

std::string update_body(std::int64_t update_id, std::int64_t chat, const std::string& text) {
  return "{\"update_id\":" + std::to_string(update_id) + "," +
         FakeTelegram::text_update(chat, "Bench", text).substr(1);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

/// The sendMessage calls of `token` to chats in [lo, hi).
std::vector<FakeTelegram::Sent> sent_in(FakeTelegram& fake, const std::string& token,
                                        std::int64_t lo, std::int64_t hi) {
  std::vector<FakeTelegram::Sent> out;
  for (auto& s : fake.sent()) {
    if (s.token != token) continue;
    auto chat = std::stoll(s.chat_id);
    if (chat >= lo && chat < hi) out.push_back(s);
  }
  return out;
}

/// Max events in any window [t, t + 1 s) (t at an event).
int max_per_second(std::vector<Clock::time_point> times) {
  std::sort(times.begin(), times.end());
  int best = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    while (j < times.size() && times[j] - times[i] < std::chrono::seconds(1)) ++j;
    best = std::max(best, static_cast<int>(j - i));
  }
  return best;
}

std::int64_t next_update_id = 500000;

void run_latency(const Options& o, FakeTelegram& fake, const std::string& token, Poster& poster,
                 const std::vector<std::string>& questions, std::int64_t chat_lo, int rate) {
  const int total = rate * o.duration_s;
  std::map<std::int64_t, std::vector<Clock::time_point>> scheduled;  // chat → send times
  auto start = Clock::now() + std::chrono::milliseconds(100);
  for (int i = 0; i < total; ++i) {
    std::int64_t chat = chat_lo + (i % o.chats);
    auto at = start + std::chrono::microseconds(static_cast<long long>(i) * 1000000 / rate);
    std::this_thread::sleep_until(at);
    scheduled[chat].push_back(at);
    poster.push(Job{chat, update_body(next_update_id++, chat, questions[i % questions.size()]), at});
  }
  auto deadline = Clock::now() + std::chrono::seconds(o.drain_s);
  std::vector<FakeTelegram::Sent> sent;
  while (Clock::now() < deadline) {
    sent = sent_in(fake, token, chat_lo, chat_lo + o.chats);
    if (static_cast<int>(sent.size()) >= total) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // duplicates arriving late
  sent = sent_in(fake, token, chat_lo, chat_lo + o.chats);
  std::map<std::int64_t, std::vector<Clock::time_point>> replies;
  int with_sources = 0;
  for (auto& s : sent) {
    replies[std::stoll(s.chat_id)].push_back(s.at);
    // A sources list, or the extractive answer's own `Source: “<title>”` line (telegram_text.cpp
    // renders no list when the text already names every source).
    if (s.text.find("\n\nSources:\n") != std::string::npos ||
        s.text.find("Source: \u201c") != std::string::npos)
      ++with_sources;
  }
  std::vector<double> ms;
  int lost = 0, extra = 0;
  for (auto& [chat, sends] : scheduled) {
    auto& got = replies[chat];
    std::sort(got.begin(), got.end());
    for (std::size_t k = 0; k < sends.size(); ++k) {
      // The k-th reply of a chat answers its k-th update (per-chat order of the outbox).
      if (k < got.size()) ms.push_back(std::chrono::duration<double, std::milli>(got[k] - sends[k]).count());
      else ++lost;
    }
    if (got.size() > sends.size()) extra += static_cast<int>(got.size() - sends.size());
  }
  double p50 = percentile(ms, 50), p90 = percentile(ms, 90), p99 = percentile(ms, 99),
         mx = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  std::printf("| %d/s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %d | %d | %d |\n", rate, total,
              static_cast<int>(ms.size()), with_sources, p50, p90, p99, mx, lost, extra,
              poster.failed.load());
  std::fflush(stdout);
  json::object r{{"case", "latency"}, {"rate", rate},        {"updates", total},
                 {"answered", ms.size()}, {"with_sources", with_sources}, {"p50_ms", p50},   {"p90_ms", p90},
                 {"p99_ms", p99},        {"max_ms", mx},      {"lost", lost},
                 {"duplicates", extra},  {"webhook_failed", poster.failed.load()},
                 {"webhook_ack_max_ms", poster.ack_us_max.load() / 1000.0}};
  std::cerr << "RESULT " << json::serialize(r) << "\n";
}

void run_burst(const Options& o, FakeTelegram& fake, const std::string& token, Poster& poster,
               const std::vector<std::string>& questions) {
  const std::int64_t one = o.chat_base, lo = o.chat_base + 1, hi = lo + o.burst_chats;
  const int total = o.burst_one + o.burst_spread;
  auto now = Clock::now();
  for (int i = 0; i < total; ++i) {
    std::int64_t chat = i < o.burst_one ? one : lo + (i - o.burst_one) % o.burst_chats;
    poster.push(Job{chat, update_body(next_update_id++, chat, questions[i % questions.size()]), now});
  }
  // 100 messages to one chat at 1/s take ~100 s; give it that plus the drain.
  auto deadline = Clock::now() + std::chrono::seconds(o.burst_one + o.drain_s);
  std::vector<FakeTelegram::Sent> sent;
  while (Clock::now() < deadline) {
    sent = sent_in(fake, token, one, hi);
    if (static_cast<int>(sent.size()) >= total) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  sent = sent_in(fake, token, one, hi);
  std::map<std::int64_t, std::vector<Clock::time_point>> per_chat;
  std::vector<Clock::time_point> all;
  Clock::time_point first = Clock::time_point::max(), last{};
  for (auto& s : sent) {
    per_chat[std::stoll(s.chat_id)].push_back(s.at);
    all.push_back(s.at);
    first = std::min(first, s.at);
    last = std::max(last, s.at);
  }
  int chat_max = 0;
  double min_gap_ms = 1e9;
  for (auto& [chat, times] : per_chat) {
    chat_max = std::max(chat_max, max_per_second(times));
    std::sort(times.begin(), times.end());
    for (std::size_t i = 1; i < times.size(); ++i)
      min_gap_ms = std::min(min_gap_ms, std::chrono::duration<double, std::milli>(times[i] - times[i - 1]).count());
  }
  int bot_max = max_per_second(all);
  double span_s = sent.empty() ? 0 : std::chrono::duration<double>(last - first).count();
  int one_chat = static_cast<int>(per_chat[one].size());
  std::printf("| %d + %d over %d chats | %d | %d | %d | %.0f | %d | %.1f |\n", o.burst_one,
              o.burst_spread, o.burst_chats, static_cast<int>(sent.size()), chat_max, bot_max,
              min_gap_ms, one_chat, span_s);
  std::fflush(stdout);
  json::object r{{"case", "burst"},          {"updates", total},     {"sent", sent.size()},
                 {"max_per_chat_1s", chat_max}, {"max_per_bot_1s", bot_max},
                 {"min_chat_gap_ms", min_gap_ms}, {"one_chat_sent", one_chat},
                 {"span_s", span_s},         {"webhook_failed", poster.failed.load()}};
  std::cerr << "RESULT " << json::serialize(r) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  auto questions = load_questions(o.questions);
  FakeTelegram fake;
  auto token = fake.add_bot(7770001, "bench_bot");
  {
    std::ofstream out(o.handoff + ".tmp");
    out << fake.base_url() << " " << token << "\n";
  }
  std::rename((o.handoff + ".tmp").c_str(), o.handoff.c_str());
  std::string secret, url;
  auto deadline = Clock::now() + std::chrono::seconds(o.connect_timeout_s);
  while (Clock::now() < deadline) {
    secret = fake.webhook_secret(token);
    url = fake.webhook_url(token);
    if (!secret.empty() && !url.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (secret.empty()) {
    std::cerr << "bench_channels: no setWebhook within " << o.connect_timeout_s << " s\n";
    return 1;
  }
  std::string channel_id = url.substr(url.rfind('/') + 1);
  std::cerr << "bench_channels: channel " << channel_id << " connected (webhook)\n";
  // setWebhook comes before the channel row is committed (the URL names the channel id first):
  // wait until the webhook accepts an update (a bare one, stored and ignored: not a message), so
  // the load does not start with 403s.
  for (bool accepted = false; !accepted && Clock::now() < deadline;) {
    Poster probe(o.gateway_port, "/webhooks/telegram/" + channel_id, secret, 1);
    probe.push(Job{0, R"({"update_id":1})", Clock::now()});
    probe.finish();
    accepted = probe.ok.load() == 1;
    if (!accepted) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  Poster poster(o.gateway_port, "/webhooks/telegram/" + channel_id, secret, o.senders);
  if (o.mode == "latency") {
    std::printf("| rate | updates | answered | with sources | p50 ms | p90 ms | p99 ms | max ms | unanswered after drain | duplicates | webhook errors |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::int64_t chat_lo = o.chat_base;
    for (int rate : o.rates) {
      run_latency(o, fake, token, poster, questions, chat_lo, rate);
      chat_lo += o.chats;
    }
  } else {
    std::printf("| burst | sent | max/chat in 1 s | max/bot in 1 s | min gap in a chat ms | one chat sent | span s |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    run_burst(o, fake, token, poster, questions);
  }
  poster.finish();
  return poster.failed.load() == 0 ? 0 : 2;
}
