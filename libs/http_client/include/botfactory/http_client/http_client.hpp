#pragma once
// Asynchronous outbound HTTP(S) client on libcurl's multi interface
// (https://curl.se/libcurl/c/libcurl-multi.html): one event thread drives every request of a
// Client, connections are reused from one cache, TLS peers and host names are verified.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::http {

/// One outbound request. `url` is http:// or https:// (other schemes fail with kTransport);
/// `headers` are "Name: value" lines; `body` is sent as is (POST/PUT/PATCH). Redirects are not
/// followed. Timeouts in ms: connect (TCP + TLS handshake), first byte (from the start until
/// the first byte of the response body), total (the whole exchange).
struct Request {
  std::string method = "POST";
  std::string url;
  std::vector<std::string> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds first_byte_timeout{30000};
  std::chrono::milliseconds total_timeout{60000};
  /// Wait this long before sending (a retry's back-off; the event thread keeps the timer, no
  /// thread sleeps). The timeouts count from the send.
  std::chrono::milliseconds start_after{0};
  /// The address policy against server-side request forgery. true (the default, for URLs the
  /// operator configured): any address. false (for URLs a tenant supplied): the request may only
  /// connect to public unicast addresses (common/net_address.hpp: not loopback, RFC 1918,
  /// link-local / cloud metadata, CGNAT, unique-local IPv6, IPv4-mapped forms of those…). The
  /// check is on the resolved address of every socket libcurl opens (so a DNS name resolving
  /// to, or rebinding to, a private address is refused before any byte is sent) and again on
  /// the peer of a reused connection before the request is written; a refused request fails
  /// with kBlockedAddress. Through a proxy (HTTPS_PROXY / http_proxy / ALL_PROXY in the
  /// environment, read by libcurl) the address checked is the proxy's: a proxy on a private
  /// address makes every such request fail (fail closed); filter destinations at the proxy.
  bool allow_private_addresses = true;
};

/// Why a request did not complete.
enum class Failure {
  kNone,
  kOverloaded,        // more than ClientSettings::max_concurrent requests in flight
  kConnect,           // the host could not be resolved or reached
  kConnectTimeout,    // Request::connect_timeout passed before the connection was up
  kFirstByteTimeout,  // Request::first_byte_timeout passed before the first body byte
  kTimeout,           // Request::total_timeout passed
  kCancelled,         // Response::cancel() or the client shut down
  kTransport,         // anything else: TLS verification, a cut connection, a bad response
  kBlockedAddress,    // the host resolved only to addresses Request::allow_private_addresses
                      // forbids; nothing was sent to them
};

/// A short English name of `failure` ("connect timeout", …), for logs and errors.
const char* failure_name(Failure failure);

/// Response header values by lower-case name.
using Headers = std::map<std::string, std::string>;

/// The push interface: callbacks run on the client's event thread, one at a time per request,
/// in this order: on_head at most once (when the first body byte came, or at completion when
/// a status line came but no body), on_body for each piece of the body as it arrives (no flow
/// control: consume or copy at once), on_complete exactly once, last (kNone = the whole
/// response arrived; see Failure). They must not block. An empty function is skipped.
struct StreamCallbacks {
  std::function<void(long status, const Headers& headers)> on_head;
  std::function<void(std::string_view bytes)> on_body;
  std::function<void(Failure failure, const std::string& message)> on_complete;
};

/// A request started with the push interface. cancel() is thread-safe and idempotent; after it
/// on_complete(kCancelled) follows (unless the request had already completed). Dropping the
/// handle does not cancel.
class Call {
 public:
  virtual ~Call() = default;
  virtual void cancel() = 0;
};

/// Bounds of a Client.
struct ClientSettings {
  std::size_t max_concurrent = 256;            // requests in flight; more fail with kOverloaded
  std::size_t max_buffered_bytes = 256 << 10;  // body bytes held per response before the
                                               // transfer pauses (one network read more at most)
  std::string ca_file;                         // extra CA bundle (PEM); empty = the system's
};

/// The response of one request, read by one consumer thread; cancel() from any thread.
/// Destroying it cancels the request when it has not completed.
class Response {
 public:
  enum class Read { kData, kEnd, kFailed, kWaiting };

  virtual ~Response() = default;
  /// Waits up to `max_wait` for body bytes. kData: `out` holds the next bytes (replaced) and
  /// the status and headers are known; kEnd: the response is complete (status(), headers
  /// known); kFailed: see failure() and message(); kWaiting: nothing happened within max_wait.
  /// The body is buffered up to ClientSettings::max_buffered_bytes, then the transfer pauses
  /// until the consumer reads (flow control, no bytes dropped).
  virtual Read read(std::string& out, std::chrono::milliseconds max_wait) = 0;
  /// Stops the request (thread-safe, idempotent); read() then returns kFailed/kCancelled.
  virtual void cancel() = 0;
  /// The HTTP status code (0 before the status line came).
  virtual long status() const = 0;
  /// The value of response header `name` (case-insensitive), "" when absent.
  virtual std::string header(const std::string& name) const = 0;
  virtual Failure failure() const = 0;
  /// libcurl's description of a failure (no request data), "" when none.
  virtual std::string message() const = 0;
  /// Connections this request opened (0 when it reused a cached one); known at kEnd.
  virtual long new_connections() const = 0;
};

/// The client: an event thread with one curl multi handle. Thread-safe. The destructor
/// cancels what is in flight and joins the thread; called from one of the client's own
/// callbacks (on the event thread) it lets the thread finish by itself instead.
class Client {
 public:
  explicit Client(ClientSettings settings = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Starts `request`; never blocks on the network. Over max_concurrent, the response has
  /// already failed with kOverloaded.
  std::unique_ptr<Response> start(Request request);

  /// Starts `request` with the push interface (`callbacks` run on the event thread). Never
  /// blocks and never calls a callback on the calling thread (over max_concurrent,
  /// on_complete(kOverloaded) follows on the event thread), except once the client is being
  /// destroyed (then on_complete(kCancelled) may run at once).
  std::shared_ptr<Call> start(Request request, StreamCallbacks callbacks);

  /// Requests in flight now.
  std::size_t in_flight() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace botfactory::http
