#include "botfactory/http_client/http_client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include "botfactory/common/net_address.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace botfactory::http {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

/// One request's state, shared by the event thread and the consumer.
struct Transfer {
  Client::Impl* owner = nullptr;
  std::size_t max_buffered = 0;
  Request request;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
  Clock::time_point first_byte_deadline;
  bool got_first_byte = false;  // event thread only
  bool blocked = false;         // event thread only: the address policy refused an address
  // Push interface (event thread only): callbacks instead of the buffer.
  bool push = false;
  bool head_sent = false;
  bool counted = true;             // counts in Impl::active until complete()
  bool delayed = false;            // waits in Impl::delayed for start_after
  Failure preset = Failure::kNone;  // fail at once on the event thread (push, kOverloaded)
  StreamCallbacks callbacks;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::string buffer;
  bool paused = false;
  bool done = false;
  bool resume_posted = false;
  Failure failure = Failure::kNone;
  std::string message;
  long status = 0;
  long new_connections = 0;
  std::map<std::string, std::string> headers;
};

}  // namespace

const char* failure_name(Failure failure) {
  switch (failure) {
    case Failure::kNone: return "none";
    case Failure::kOverloaded: return "too many requests in flight";
    case Failure::kConnect: return "cannot connect";
    case Failure::kConnectTimeout: return "connect timeout";
    case Failure::kFirstByteTimeout: return "first byte timeout";
    case Failure::kTimeout: return "timeout";
    case Failure::kCancelled: return "cancelled";
    case Failure::kTransport: return "transport error";
    case Failure::kBlockedAddress: return "blocked address";
  }
  return "unknown";
}

struct Client::Impl {
  ClientSettings settings;
  CURLM* multi = nullptr;
  std::thread thread;
  std::atomic<std::size_t> active{0};

  std::mutex commands_mutex;
  std::vector<std::shared_ptr<Transfer>> to_add, to_cancel, to_resume;
  bool stopping = false;

  std::unordered_map<CURL*, std::shared_ptr<Transfer>> running;  // event thread only
  std::vector<std::pair<Clock::time_point, std::shared_ptr<Transfer>>> delayed;  // event thread only

  /// Push mode: on_head once, with the status and headers known so far.
  static void send_head(Transfer* t) {
    if (!t->push || t->head_sent) return;
    long status;
    Headers headers;
    {
      std::lock_guard lock(t->mutex);
      if (t->status == 0) return;
      status = t->status;
      headers = t->headers;
    }
    t->head_sent = true;
    if (t->callbacks.on_head) t->callbacks.on_head(status, headers);
  }

  void post(std::vector<std::shared_ptr<Transfer>> Impl::*queue, std::shared_ptr<Transfer> transfer) {
    std::lock_guard lock(commands_mutex);
    (this->*queue).push_back(std::move(transfer));
    wake_locked();
  }

  /// Wakes the event thread; the caller holds commands_mutex (the thread frees `multi` under it
  /// when it ends, so a wake-up never touches a freed handle).
  void wake_locked() {
    if (multi) curl_multi_wakeup(multi);
  }

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string_view line(data, size * count);
    std::lock_guard lock(t->mutex);
    if (line.rfind("HTTP/", 0) == 0) {
      t->headers.clear();  // a new status line (after 100 Continue or an interim response)
      auto space = line.find(' ');
      if (space != std::string_view::npos && line.size() >= space + 4) {
        long code = 0;
        for (char c : line.substr(space + 1, 3)) code = code * 10 + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : 0);
        t->status = code;
      }
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      t->headers[lower(std::string(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    return size * count;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::size_t n = size * count;
    t->got_first_byte = true;
    if (t->push) {
      send_head(t);
      if (t->callbacks.on_body) t->callbacks.on_body(std::string_view(data, n));
      return n;
    }
    std::lock_guard lock(t->mutex);
    if (!t->buffer.empty() && t->buffer.size() + n > t->max_buffered) {
      t->paused = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    t->buffer.append(data, n);
    t->changed.notify_all();
    return n;
  }

  /// CURLOPT_OPENSOCKETFUNCTION (https://curl.se/libcurl/c/CURLOPT_OPENSOCKETFUNCTION.html):
  /// called with each resolved address before its socket exists; a private address gets no
  /// socket (libcurl tries the next address, else fails with CURLE_COULDNT_CONNECT).
  static curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
    auto* t = static_cast<Transfer*>(user);
    if (!t->request.allow_private_addresses &&
        common::is_private_address(&address->addr, static_cast<std::size_t>(address->addrlen))) {
      t->blocked = true;
      return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }

  /// CURLOPT_PREREQFUNCTION (https://curl.se/libcurl/c/CURLOPT_PREREQFUNCTION.html, libcurl
  /// 7.80+): called once the connection is up — new or reused from the cache — before the
  /// request is written. Catches a cached connection opened by a permissive request.
  static int on_prereq(void* user, char* peer_ip, char*, int, int) {
    auto* t = static_cast<Transfer*>(user);
    if (!t->request.allow_private_addresses && common::numeric_ip_is_private(peer_ip ? peer_ip : "")) {
      t->blocked = true;
      return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
  }

  void add(const std::shared_ptr<Transfer>& t) {
    if (t->preset != Failure::kNone) {
      complete(t, t->preset, t->preset == Failure::kOverloaded ? "too many outbound requests in flight" : "client stopped");
      return;
    }
    if (!t->delayed && t->request.start_after.count() > 0) {
      t->delayed = true;
      delayed.emplace_back(Clock::now() + t->request.start_after, t);
      return;
    }
    CURL* easy = curl_easy_init();
    if (!easy) {
      complete(t, Failure::kTransport, "curl_easy_init failed");
      return;
    }
    t->easy = easy;
    const auto& r = t->request;
    curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!settings.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, settings.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.total_timeout.count()));
    for (const auto& h : r.headers) t->header_list = curl_slist_append(t->header_list, h.c_str());
    t->header_list = curl_slist_append(t->header_list, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->header_list);
    if (r.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      if (r.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error_buffer);
    if (!r.allow_private_addresses) {
      curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Impl::on_open_socket);
      curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, t.get());
      curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &Impl::on_prereq);
      curl_easy_setopt(easy, CURLOPT_PREREQDATA, t.get());
    }
    t->first_byte_deadline = Clock::now() + r.first_byte_timeout;
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
      complete(t, Failure::kTransport, "curl_multi_add_handle failed");
      return;
    }
    running[easy] = t;
  }

  /// Removes `t` from curl (if added) and wakes its consumer.
  void complete(const std::shared_ptr<Transfer>& t, Failure failure, std::string message) {
    long connects = 0;
    if (t->easy) {
      curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
      curl_multi_remove_handle(multi, t->easy);
      curl_easy_cleanup(t->easy);
      running.erase(t->easy);
      t->easy = nullptr;
    }
    curl_slist_free_all(t->header_list);
    t->header_list = nullptr;
    if (t->delayed) {
      std::erase_if(delayed, [&](const auto& entry) { return entry.second == t; });
    }
    {
      std::lock_guard lock(t->mutex);
      if (t->done) return;
      t->done = true;
      t->failure = failure;
      t->message = failure == Failure::kNone ? std::string() : message;
      t->new_connections = connects;
      if (t->counted) --active;
      t->changed.notify_all();
    }
    if (t->push) {
      if (failure == Failure::kNone) send_head(t.get());
      auto on_complete = std::move(t->callbacks.on_complete);
      t->callbacks = {};  // release what the callbacks hold
      if (on_complete) on_complete(failure, message);
    }
  }

  void finished(CURL* easy, CURLcode code) {
    auto it = running.find(easy);
    if (it == running.end()) return;
    auto t = it->second;
    if (code == CURLE_OK) {
      complete(t, Failure::kNone, {});
      return;
    }
    Failure failure = Failure::kTransport;
    if (t->blocked && (code == CURLE_COULDNT_CONNECT || code == CURLE_ABORTED_BY_CALLBACK)) {
      complete(t, Failure::kBlockedAddress,
               "the host resolves to a private or local address, which this request may not reach");
      return;
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
      curl_off_t connected = 0;
      curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &connected);
      curl_off_t tcp = 0;
      curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &tcp);
      failure = (tcp == 0 && connected == 0) ? Failure::kConnectTimeout : Failure::kTimeout;
    } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
               code == CURLE_COULDNT_RESOLVE_PROXY) {
      failure = Failure::kConnect;
    }
    std::string message = t->error_buffer[0] ? t->error_buffer : curl_easy_strerror(code);
    complete(t, failure, std::move(message));
  }

  void loop() {
    while (true) {
      std::vector<std::shared_ptr<Transfer>> adds, cancels, resumes;
      bool stop = false;
      {
        std::lock_guard lock(commands_mutex);
        adds.swap(to_add);
        cancels.swap(to_cancel);
        resumes.swap(to_resume);
        stop = stopping;
      }
      if (stop) {  // outside the lock: push callbacks may start requests (refused then)
        for (auto& t : adds) complete(t, Failure::kCancelled, "client stopped");
        break;
      }
      for (auto& t : adds) add(t);
      for (auto& t : cancels) complete(t, Failure::kCancelled, "cancelled");
      for (auto& t : resumes) {
        {
          std::lock_guard lock(t->mutex);
          t->resume_posted = false;
          if (!t->paused) continue;
          t->paused = false;
        }
        if (t->easy) curl_easy_pause(t->easy, CURLPAUSE_CONT);
      }
      int still_running = 0;
      curl_multi_perform(multi, &still_running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg == CURLMSG_DONE) finished(msg->easy_handle, msg->data.result);
      }
      // First-byte deadlines (libcurl has none of its own); the nearest bounds the wait.
      auto now = Clock::now();
      auto wait = std::chrono::milliseconds(1000);
      // Delayed starts (retries' back-off) that are due.
      std::vector<std::shared_ptr<Transfer>> due;
      for (const auto& [at, t] : delayed) {
        if (at <= now) {
          due.push_back(t);
        } else {
          wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(at - now));
        }
      }
      if (!due.empty()) {
        std::erase_if(delayed, [&](const auto& entry) { return entry.first <= now; });
        for (auto& t : due) add(t);
        continue;
      }
      std::vector<std::shared_ptr<Transfer>> late;
      for (auto& [easy, t] : running) {
        if (t->got_first_byte) continue;
        if (t->first_byte_deadline <= now) {
          late.push_back(t);
        } else {
          wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(t->first_byte_deadline - now));
        }
      }
      for (auto& t : late) complete(t, Failure::kFirstByteTimeout, "no response body within the first-byte timeout");
      if (!late.empty()) continue;
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
    }
    std::vector<std::shared_ptr<Transfer>> left;
    for (auto& [easy, t] : running) left.push_back(t);
    for (auto& [at, t] : delayed) left.push_back(t);
    for (auto& t : left) complete(t, Failure::kCancelled, "client stopped");
  }
};

namespace {

class ResponseImpl final : public Response {
 public:
  ResponseImpl(std::shared_ptr<Client::Impl> client, std::shared_ptr<Transfer> transfer)
      : client_(std::move(client)), t_(std::move(transfer)) {}
  ~ResponseImpl() override { cancel(); }

  Read read(std::string& out, std::chrono::milliseconds max_wait) override {
    std::unique_lock lock(t_->mutex);
    if (!t_->changed.wait_for(lock, max_wait, [&] { return !t_->buffer.empty() || t_->done; })) {
      return Read::kWaiting;
    }
    if (!t_->buffer.empty()) {
      out.swap(t_->buffer);
      t_->buffer.clear();
      if (t_->paused && !t_->resume_posted && !t_->done) {
        t_->resume_posted = true;
        lock.unlock();
        client_->post(&Client::Impl::to_resume, t_);
      }
      return Read::kData;
    }
    return t_->failure == Failure::kNone ? Read::kEnd : Read::kFailed;
  }

  void cancel() override {
    {
      std::lock_guard lock(t_->mutex);
      if (t_->done || cancel_posted_) return;
      cancel_posted_ = true;
    }
    client_->post(&Client::Impl::to_cancel, t_);
  }

  long status() const override {
    std::lock_guard lock(t_->mutex);
    return t_->status;
  }
  std::string header(const std::string& name) const override {
    std::lock_guard lock(t_->mutex);
    auto it = t_->headers.find(lower(name));
    return it == t_->headers.end() ? std::string() : it->second;
  }
  Failure failure() const override {
    std::lock_guard lock(t_->mutex);
    return t_->failure;
  }
  std::string message() const override {
    std::lock_guard lock(t_->mutex);
    return t_->message;
  }
  long new_connections() const override {
    std::lock_guard lock(t_->mutex);
    return t_->new_connections;
  }

 private:
  std::shared_ptr<Client::Impl> client_;
  std::shared_ptr<Transfer> t_;
  bool cancel_posted_ = false;  // guarded by t_->mutex
};

class CallImpl final : public Call {
 public:
  CallImpl(std::shared_ptr<Client::Impl> client, std::shared_ptr<Transfer> transfer)
      : client_(std::move(client)), t_(std::move(transfer)) {}

  void cancel() override {
    {
      std::lock_guard lock(t_->mutex);
      if (t_->done || cancel_posted_) return;
      cancel_posted_ = true;
    }
    client_->post(&Client::Impl::to_cancel, t_);
  }

 private:
  std::shared_ptr<Client::Impl> client_;
  std::shared_ptr<Transfer> t_;
  bool cancel_posted_ = false;  // guarded by t_->mutex
};

std::once_flag curl_global;

}  // namespace

Client::Client(ClientSettings settings) : impl_(std::make_shared<Impl>()) {
  std::call_once(curl_global, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->settings = std::move(settings);
  impl_->multi = curl_multi_init();
  if (!impl_->multi) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(impl_->settings.max_concurrent));
  // The thread owns a reference: when the client is destroyed from one of its own callbacks the
  // thread is detached and finishes (and frees the multi handle) on its own.
  impl_->thread = std::thread([impl = impl_] {
    impl->loop();
    std::lock_guard lock(impl->commands_mutex);
    curl_multi_cleanup(impl->multi);
    impl->multi = nullptr;
  });
}

Client::~Client() {
  {
    std::lock_guard lock(impl_->commands_mutex);
    impl_->stopping = true;
    impl_->wake_locked();
  }
  // Destroyed on the event thread (a callback dropped the last reference to its owner):
  // joining would wait for itself; the loop ends once that callback returns.
  if (impl_->thread.get_id() == std::this_thread::get_id()) {
    impl_->thread.detach();
  } else {
    impl_->thread.join();
  }
}

std::size_t Client::in_flight() const { return impl_->active.load(); }

std::unique_ptr<Response> Client::start(Request request) {
  auto t = std::make_shared<Transfer>();
  t->owner = impl_.get();
  t->max_buffered = std::max<std::size_t>(impl_->settings.max_buffered_bytes, 1);
  t->request = std::move(request);
  auto response = std::make_unique<ResponseImpl>(impl_, t);
  if (impl_->active.fetch_add(1) >= impl_->settings.max_concurrent) {
    --impl_->active;
    std::lock_guard lock(t->mutex);
    t->done = true;
    t->failure = Failure::kOverloaded;
    t->message = "too many outbound requests in flight";
    return response;
  }
  {
    std::lock_guard lock(impl_->commands_mutex);
    if (impl_->stopping) {
      --impl_->active;
      std::lock_guard tlock(t->mutex);
      t->done = true;
      t->failure = Failure::kCancelled;
      t->message = "client stopped";
      return response;
    }
    impl_->to_add.push_back(t);
    impl_->wake_locked();
  }
  return response;
}

std::shared_ptr<Call> Client::start(Request request, StreamCallbacks callbacks) {
  auto t = std::make_shared<Transfer>();
  t->owner = impl_.get();
  t->max_buffered = std::max<std::size_t>(impl_->settings.max_buffered_bytes, 1);
  t->request = std::move(request);
  t->push = true;
  t->callbacks = std::move(callbacks);
  auto call = std::make_shared<CallImpl>(impl_, t);
  if (impl_->active.fetch_add(1) >= impl_->settings.max_concurrent) {
    --impl_->active;
    t->counted = false;
    t->preset = Failure::kOverloaded;  // reported on the event thread
  }
  bool stopped = false;
  {
    std::lock_guard lock(impl_->commands_mutex);
    stopped = impl_->stopping;
    if (!stopped) {
      impl_->to_add.push_back(t);
      impl_->wake_locked();
    }
  }
  if (stopped) {
    // The event thread is gone or going: report here (the documented exception).
    if (t->counted) --impl_->active;
    t->counted = false;
    {
      std::lock_guard lock(t->mutex);
      t->done = true;
      t->failure = Failure::kCancelled;
    }
    auto on_complete = std::move(t->callbacks.on_complete);
    t->callbacks = {};
    if (on_complete) on_complete(Failure::kCancelled, "client stopped");
    return call;
  }
  return call;
}

}  // namespace botfactory::http
