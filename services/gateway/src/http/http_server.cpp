#include "http/http_server.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "http/api_error.hpp"
#include "http/bearer_auth.hpp"
#include "http/lingering_close.hpp"
#include "http/peer_closed.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/jwt/tokens.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/subscriber.hpp"
#include "http/client_address.hpp"
#include "http/client_rate_limit.hpp"
#include "http/connection_limits.hpp"
#include "gateway_metrics.hpp"
#include "http/http_message.hpp"
#include "rest/rest_api.hpp"
#include "rest/rest_ingest_slot.hpp"
#include "webhooks/telegram_webhook.hpp"
#include "webhooks/whatsapp_webhook.hpp"
#include "http/router.hpp"
#include "server_context.hpp"
#include "ws/session_registry.hpp"
#include "settings.hpp"
#include "http/static_files.hpp"
#include "http/token_revocation.hpp"
#include "rest/attachments_rest.hpp"
#include "rest/dependency_monitor.hpp"
#include "rest/upstreams.hpp"
#include "rest/widget_origin.hpp"
#include "work_queue.hpp"
#include "ws/ws_session.hpp"

namespace botfactory::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = beast::error_code;

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kMaxRequestIdLength = 64;
// Retry-After (seconds) on a 503: a full worker queue or a dead backend clears in seconds.
constexpr const char* kRetryAfterSeconds = "2";
// What a connection over MAX_CONNECTIONS / MAX_CONNECTIONS_PER_IP gets, written straight from
// the listener (no session, no parser, no buffer allocated for it).
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Retry-After: 2\r\n"
    "Connection: close\r\n"
    "Content-Length: 65\r\n\r\n"
    R"({"error":{"code":"unavailable","message":"too many connections"}})";

LingerBounds linger_bounds(const GatewaySettings& settings) {
  return {settings.http_linger_max_bytes, settings.http_linger};
}

HttpResponse busy_response() {
  return error_response(503, "unavailable", "the server is busy, try again");
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

HttpResponse json_ok(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

/// One HTTP connection: reads requests (keep-alive), answers them, or hands the socket to a
/// WebSocket session on upgrade.
class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, ServerContext& context,
              std::shared_ptr<const void> connection_slot)
      : stream_(std::move(socket)), context_(context), connection_slot_(std::move(connection_slot)) {}

  ~HttpSession() override { context_.sessions.remove(this); }

  void run() {
    context_.sessions.add(shared_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  void shutdown() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->close_after_response_ = true;
      if (!self->busy_) {
        error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->stream_.close();
      }
    });
  }

 private:
  void read_header() {
    if (close_after_response_ || context_.stopping) return close();
    busy_ = false;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // The route decides the limit once the target is known (on_header).
    parser_->body_limit(std::max({context_.settings.max_body_bytes,
                                  context_.settings.max_upload_bytes,
                                  context_.settings.max_attachment_bytes + kAttachmentFramingBytes}));
    stream_.expires_after(context_.settings.http_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::bad_descriptor) {
      return close();
    }
    busy_ = true;
    started_ = std::chrono::steady_clock::now();
    request_id_ = common::random_base62(16);
    method_.clear();
    path_.clear();
    if (ec) note_request_line();  // for the access log, when the parser got that far
    if (ec == http::error::body_limit) {  // Content-Length over every route's limit
      // Beast checks Content-Length once the whole head is parsed (basic_parser finish_header):
      // the request line and headers are known here.
      request_id_ = incoming_request_id();
      close_after_response_ = true;
      return send(error_response(413, "payload_too_large", "request body too large"),
                  route_class_of(method_, path_), false);
    }
    if (ec == http::error::header_limit) {
      close_after_response_ = true;
      return send(error_response(431, "header_too_large", "request header over 16 KiB"), "other",
                  false);
    }
    if (ec) {
      close_after_response_ = true;
      return send(error_response(400, "bad_request", "malformed HTTP request"), "other", false);
    }
    auto& header = parser_->get();
    auto target = header.target();
    // harden: every decision from the head (body limit, webhook secret, token) is made on the
    // route the router will see: the percent-decoded path (parse_target), so "/api/v1/%62ots"
    // is "/api/v1/bots" here too. A target the handler would refuse (400, handle_request) is
    // refused now when a body follows, unread (an upgrade keeps its own answers, upgrade()).
    auto parsed = parse_target(std::string_view(target.data(), target.size()));
    method_ = std::string(header.method_string());
    path_ = parsed.path;
    request_id_ = incoming_request_id();
    if (!parsed.ok && !parser_->is_done() && !beast::websocket::is_upgrade(header)) {
      close_after_response_ = true;
      return send(error_response(400, "bad_request", "malformed request target"), "other", false);
    }
    std::string_view path = parsed.path;
    std::string_view method(header.method_string().data(), header.method_string().size());
    bool upload = is_upload_route(method, path);
    bool attachment = is_attachment_upload_route(method, path);  // files
    std::size_t limit = upload ? context_.settings.max_upload_bytes : context_.settings.max_body_bytes;
    if (attachment) limit = context_.settings.max_attachment_bytes + kAttachmentFramingBytes;
    if (is_webhook_path(path)) {
      // Public webhooks: a small body limit, and no body is read without the secret header.
      limit = std::min(limit, kWebhookMaxBodyBytes);
      if (!whatsapp_webhook_channel(path).empty()) {
        // WhatsApp: GET is Meta's verification (no body); POST must be signed.
        if (method_ == "POST" && header[kMetaSignatureHeader].empty()) {
          close_after_response_ = true;
          return send(error_response(401, "unauthorized", "invalid signature"), "webhook", false);
        }
      } else if (header[kTelegramSecretHeader].empty()) {
        close_after_response_ = true;
        return send(error_response(403, "forbidden", "forbidden"), "webhook", false);
      }
    }
    parser_->body_limit(limit);
    if (auto length = parser_->content_length(); length && *length > limit) {
      close_after_response_ = true;
      return send(error_response(413, "payload_too_large", "request body too large"),
                  "other", false);
    }
    if (beast::websocket::is_upgrade(header)) return upgrade();
    if (parser_->is_done()) return handle_request();  // no body: the handler checks the token
    auto route = match_route(method, path);
    bool found = route.kind == RouteMatch::Kind::kFound;
    std::optional<jwt::Claims> claims;
    std::optional<ApiError> no_token;
    try {
      auto auth = header[http::field::authorization];
      claims = verified_bearer(context_.verifier, std::string_view(auth.data(), auth.size()));
    } catch (const ApiError& e) {
      no_token = e;
    }
    if (!claims && found && requires_bearer_token(route.endpoint)) {
      // gwleft: every route that needs a token (the upload routes included) refuses a missing
      // or invalid one before one byte of the body is read, with the handler's 401.
      close_after_response_ = true;
      return send(error_response(*no_token), route.pattern, true);
    }
    if (!claims || !found || !reads_bearer_token(route.endpoint)) return continue_body();
    try {
      // harden: a visitor token on a route for users only: the handler's 403, body unread.
      require_user_token(route.endpoint, *claims);
    } catch (const ApiError& e) {
      close_after_response_ = true;
      return send(error_response(e), route.pattern, true);
    }
    // Every route that reads the token: a revoked one is refused before the body is read.
    when_not_revoked(*claims, route.pattern, [attachment, claims](HttpSession& self) {
      if (attachment) return self.check_attachment_cap(claims->tenant_id);
      self.continue_body();
    });
  }

  /// Runs `next` on this session's strand when `claims` is not a revoked user token
  /// (http/token_revocation.hpp: a fresh cached answer decides on this thread, else one Redis GET
  /// on a worker); else answers 401 `token_revoked` and closes (lingering, linger_close()). A
  /// full worker queue answers 503 `unavailable`. `route_class` labels the access log/metrics.
  void when_not_revoked(const jwt::Claims& claims, std::string route_class,
                        std::function<void(HttpSession&)> next) {
    auto* revocations = context_.revocations;
    auto cached = revocations ? revocations->revoked_if_fresh(claims) : std::optional<bool>(false);
    if (cached) return after_revocation_check(*cached, route_class, next);
    bool queued = context_.workers.try_submit(
        [self = shared_from_this(), revocations, claims, route_class, next]() mutable {
          bool revoked = revocations->revoked(claims);
          net::post(self->stream_.get_executor(),
                    [self, revoked, route_class = std::move(route_class), next = std::move(next)] {
                      self->after_revocation_check(revoked, route_class, next);
                    });
        });
    if (!queued) {
      close_after_response_ = true;
      send(busy_response(), route_class, route_class != "ws");
    }
  }

  void after_revocation_check(bool revoked, const std::string& route_class,
                              const std::function<void(HttpSession&)>& next) {
    if (!revoked) return next(*this);
    if (route_class == "ws") context_.metrics.ws_rejected_upgrades.inc();
    close_after_response_ = true;
    send(error_response(401, "token_revoked", kTokenRevokedMessage), route_class, route_class != "ws");
  }

  /// files: asks the tenant's plan cap and storage left (one GetAttachmentLimit, on a worker)
  /// before the body is read: a Content-Length over the cap (plus multipart framing) is 413
  /// payload_too_large at once, one over the storage left 413 storage_quota_exceeded
  /// (decide_upload_head), and a streamed body is cut at the cap (the parser's body limit). When
  /// channel-connector cannot say, the body is read up to ATTACHMENT_MAX_BYTES and it checks after.
  void check_attachment_cap(const std::string& tenant) {
    std::optional<std::uint64_t> length;
    if (auto given = parser_->content_length()) length = *given;
    auto type = parser_->get()[http::field::content_type];
    bool multipart = beast::iequals(type.substr(0, std::min<std::size_t>(type.size(), 19)), "multipart/form-data");
    bool queued = context_.workers.try_submit([self = shared_from_this(), tenant, length, multipart] {
      auto allowance = upload_allowance(self->context_.upstreams, tenant);
      auto decision = decide_upload_head(allowance, length, multipart, kAttachmentFramingBytes);
      net::post(self->stream_.get_executor(), [self, decision = std::move(decision)]() mutable {
        if (decision.refusal) {
          self->close_after_response_ = true;
          return self->send(std::move(*decision.refusal), "/api/v1/conversations/{id}/attachments", false);
        }
        if (decision.body_limit) self->parser_->body_limit(*decision.body_limit);
        self->continue_body();
      });
    });
    if (!queued) {
      close_after_response_ = true;
      send(busy_response(), "/api/v1/conversations/{id}/attachments", true);
    }
  }

  /// Answers "Expect: 100-continue" when asked, then reads the body.
  void continue_body() {
    auto& header = parser_->get();
    auto expect = header[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                         header.version());
      return http::async_write(stream_, *interim,
                               [self = shared_from_this(), interim](error_code wec, std::size_t) {
                                 if (wec) return self->close();
                                 self->read_body();
                               });
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec == http::error::body_limit) {
                         self->close_after_response_ = true;
                         return self->send(error_response(413, "payload_too_large",
                                                          "request body too large"),
                                           "other", false);
                       }
                       if (ec) return self->close();
                       self->handle_request();
                     });
  }

  void upgrade() {
    auto& header = parser_->get();
    auto target = header.target();
    auto parsed = parse_target(std::string_view(target.data(), target.size()));
    if (parsed.path != "/ws") {
      close_after_response_ = true;
      return send(error_response(404, "not_found", "no such endpoint"), "other", false);
    }
    if (context_.stopping) {
      close_after_response_ = true;
      return send(error_response(503, "unavailable", "shutting down"), "ws", false);
    }
    std::string token;
    if (auto it = parsed.query.find("token"); it != parsed.query.end()) token = it->second;
    if (token.empty()) {
      auto auth = header[http::field::authorization];
      token = std::string(bearer_token(std::string_view(auth.data(), auth.size())));
    }
    auto claims = token.empty() ? std::nullopt : context_.verifier.verify(token);
    if (!claims) {
      context_.metrics.ws_rejected_upgrades.inc();
      close_after_response_ = true;
      return send(error_response(401, "unauthorized", "missing, invalid or expired token"), "ws",
                  false);
    }
    auto origin = header[http::field::origin];
    if (!upgrade_origin_allowed(*claims, std::string_view(origin.data(), origin.size()))) {
      context_.metrics.ws_rejected_upgrades.inc();
      close_after_response_ = true;
      return send(error_response(403, "origin_not_allowed",
                                 "this visitor token is valid only from the page that opened it"),
                  "ws", false);
    }
    // A user token revoked after it was signed gets 401 `token_revoked`.
    when_not_revoked(*claims, "ws", [claims](HttpSession& self) { self.accept_websocket(*claims); });
  }

  void accept_websocket(jwt::Claims claims) {
    log_access(101, "ws");
    stream_.expires_never();
    run_websocket_session(stream_.release_socket(), parser_->release(), std::move(claims),
                          context_, std::move(connection_slot_));
  }

  /// The method and the path (no query) of the request line, as far as the parser got: both
  /// empty when it failed before the request line (e.g. over the 16 KiB header limit).
  void note_request_line() {
    const auto& header = parser_->get();
    auto target = header.target();
    std::string_view view(target.data(), target.size());
    method_ = std::string(header.method_string());
    path_ = std::string(view.substr(0, view.find('?')));
  }

  /// The metrics/log route class of a raw request path: its route pattern, else "other".
  static std::string route_class_of(const std::string& method, const std::string& path) {
    auto route = match_route(method, path);
    return route.kind == RouteMatch::Kind::kFound ? route.pattern : "other";
  }

  /// The per-address limit key of the client (client_key(): the peer, or the X-Forwarded-For
  /// entry of the outermost trusted proxy; every X-Forwarded-For line, in order, RFC 9110
  /// section 5.3). "" when the socket has no peer any more.
  std::string client_key_of(const http::request<http::string_body>& request) {
    error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (ec) return {};
    std::string forwarded;
    if (context_.settings.trusted_proxy_hops > 0) {
      auto [first, last] = request.equal_range("X-Forwarded-For");
      for (auto it = first; it != last; ++it) {
        if (!forwarded.empty()) forwarded += ',';
        forwarded.append(it->value().data(), it->value().size());
        if (forwarded.size() > kHeaderLimit) break;
      }
    }
    return client_key(endpoint.address(), forwarded, context_.settings.trusted_proxy_hops);
  }

  std::string incoming_request_id() const {
    auto id = parser_->get()["X-Request-Id"];
    std::string_view view(id.data(), id.size());
    return valid_request_id(view) ? std::string(view) : common::random_base62(16);
  }

  void handle_request() {
    auto request = parser_->release();
    keep_alive_ = request.keep_alive();
    auto target = request.target();
    auto parsed = parse_target(std::string_view(target.data(), target.size()));
    method_ = std::string(request.method_string());
    path_ = parsed.path;
    if (!parsed.ok) {
      return send(error_response(400, "bad_request", "malformed request target"), "other",
                  false);
    }
    const std::string& path = parsed.path;
    if (path == "/healthz") return send(json_ok(R"({"status":"ok"})"), "ops", false);
    if (path == "/metrics") {
      if (!context_.settings.metrics_listen.empty()) {  // served on GATEWAY_METRICS_LISTEN only
        return send(error_response(404, "not_found", "not found"), "ops", false);
      }
      HttpResponse response;
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      response.body = metrics::Registry::global().render();
      return send(std::move(response), "ops", false);
    }
    if (path == "/readyz") return readiness();
    if (path == "/ws") {
      return send(error_response(426, "upgrade_required", "use a WebSocket upgrade"), "ws", false);
    }
    if (is_webhook_path(path)) {
      HttpRequest hook;
      hook.method = method_;
      hook.path = path;
      hook.body = std::move(request.body());
      hook.request_id = request_id_;
      hook.client_ip = client_key_of(request);
      bool whatsapp = !whatsapp_webhook_channel(path).empty();
      hook.webhook_secret = std::string(request[whatsapp ? kMetaSignatureHeader : kTelegramSecretHeader]);
      if (whatsapp) {
        auto parsed = parse_target(std::string_view(request.target().data(), request.target().size()));
        if (!parsed.ok) return send(error_response(400, "bad_request", "malformed query"), "webhook", true);
        hook.query = std::move(parsed.query);
      }
      bool queued = context_.workers.try_submit([self = shared_from_this(), hook = std::move(hook)]() mutable {
        common::ScopedRequestId scope(hook.request_id);
        auto response = self->context_.rest.handle_webhook(hook);
        net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
          self->send(std::move(response), "webhook", true);
        });
      });
      if (!queued) send(busy_response(), "webhook", true);
      return;
    }
    bool api = path == "/api" || path.rfind("/api/", 0) == 0;
    if (api) {
      if (request.method() == http::verb::options) {
        HttpResponse response;
        response.status = 204;
        response.content_type.clear();
        response.headers.emplace_back("Access-Control-Allow-Methods",
                                      "GET, POST, PATCH, DELETE, OPTIONS");
        response.headers.emplace_back("Access-Control-Allow-Headers",
                                      "Authorization, Content-Type, X-Request-Id");
        response.headers.emplace_back("Access-Control-Max-Age", "600");
        return send(std::move(response), "cors", true);
      }
      HttpRequest rest_request;
      rest_request.method = method_;
      rest_request.path = path;
      rest_request.query = std::move(parsed.query);
      rest_request.authorization = std::string(request[http::field::authorization]);
      rest_request.content_type = std::string(request[http::field::content_type]);
      rest_request.origin = std::string(request[http::field::origin]);
      rest_request.body = std::move(request.body());
      rest_request.request_id = request_id_;
      rest_request.client_ip = client_key_of(request);
      auto route = match_route(rest_request.method, rest_request.path);
      std::string route_class = route.kind == RouteMatch::Kind::kNotFound ? "api_unknown"
                                                                          : route.pattern;
      auto busy_class = route_class;
      bool queued = context_.workers.try_submit([self = shared_from_this(),
                                                 rest_request = std::move(rest_request),
                                                 route = std::move(route),
                                                 route_class = std::move(route_class)]() mutable {
        common::ScopedRequestId scope(rest_request.request_id);  // logs + upstream metadata
        auto limited = self->context_.limits.check(route, rest_request.client_ip);
        // harden: a REST room post holds an INGEST_MAX_IN_FLIGHT slot like message.send.
        bool post = route.kind == RouteMatch::Kind::kFound && route.endpoint == Endpoint::kPostRoomMessage;
        if (!limited && post) limited = take_ingest_slot(self->context_.ingest);
        // roomcore: a room post answers from a gRPC thread; this worker does not wait for it.
        std::function<void(HttpResponse)> reply = [self, route_class](HttpResponse r) {
          net::post(self->stream_.get_executor(), [self, r = std::move(r), route_class]() mutable {
            self->send(std::move(r), route_class, true);
          });
        };
        if (!limited && post) reply = hold_ingest_slot(self->context_.ingest, std::move(reply));
        // gwleft: and its PostRoomMessage waits for one of the INGEST_MAX_CALLS places on the
        // wire, in the same FIFO as message.send (on the I/O thread; this worker does not wait).
        IngestCallGate gate;
        if (!limited && post) {
          gate = ingest_call_gate(
              [io = self->stream_.get_executor()](std::function<void()> task) {
                net::post(io, std::move(task));
              },
              self->context_.ingest,
              // harden: a client that left while its post waited gets nothing sent upstream.
              [weak = std::weak_ptr<HttpSession>(self), route_class] {
                auto session = weak.lock();
                if (!session) return true;
                if (!peer_closed(session->stream_.socket().native_handle())) return false;
                session->log_access(499, route_class);  // nginx's "client closed request"
                return true;
              });
        }
        if (!limited && self->context_.rest.handle_async(rest_request, route, reply, gate)) return;
        auto response = limited ? std::move(*limited) : self->context_.rest.handle(rest_request, route);
        net::post(self->stream_.get_executor(),
                  [self, response = std::move(response), route_class = std::move(route_class)]() mutable {
                    self->send(std::move(response), route_class, true);
                  });
      });
      if (!queued) send(busy_response(), busy_class, true);
      return;
    }
    if (request.method() != http::verb::get) {
      auto response = error_response(405, "method_not_allowed", "static files are GET only");
      response.headers.emplace_back("Allow", "GET");
      return send(std::move(response), "static", false);
    }
    bool queued = context_.workers.try_submit([self = shared_from_this(), path]() {
      auto response = self->context_.static_files.serve(path);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->send(std::move(response), "static", false);
      });
    });
    if (!queued) send(busy_response(), "static", false);
  }

  /// /readyz from the dependency monitor's state (no I/O): 200 while live chat can be served
  /// (Redis and channel-connector up), 503 otherwise; the body lists every dependency.
  void readiness() {
    HttpResponse response;
    bool ready = context_.dependencies.ready();
    bool probed = context_.dependencies.probed();  // before the first round: "starting"
    std::string dependencies;
    std::string failed;
    for (const auto& d : context_.dependencies.status()) {
      dependencies += (dependencies.empty() ? "\"" : ",\"") + d.name + "\":\"" +
                      (!probed ? "unknown" : d.up ? "up" : "down") + "\"";
      if (probed && d.required && !d.up) {
        failed += (failed.empty() ? "\"" : ",\"") + d.name + "\"";
      }
    }
    if (!ready) response.status = 503;
    response.body = std::string(R"({"status":")") +
                    (ready ? "ready" : probed ? "unavailable" : "starting") +
                    R"(","failed":[)" + failed + R"(],"dependencies":{)" + dependencies + "}}";
    send(std::move(response), "ops", false);
  }

  void send(HttpResponse&& response, const std::string& route_class, bool cors) {
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    message->set(http::field::server, "botfactory-gateway");
    if (!response.content_type.empty()) {
      message->set(http::field::content_type, response.content_type);
    }
    message->set("X-Request-Id", request_id_);
    message->set("X-Content-Type-Options", "nosniff");
    message->set("Referrer-Policy", "no-referrer");
    message->set("X-Frame-Options", "SAMEORIGIN");
    if (cors) message->set(http::field::access_control_allow_origin, "*");
    if (response.status == 503) message->set(http::field::retry_after, kRetryAfterSeconds);
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    bool keep = keep_alive_ && !close_after_response_ && !context_.stopping;
    message->keep_alive(keep);
    message->prepare_payload();
    log_access(response.status, route_class);
    stream_.expires_after(context_.settings.http_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, keep](error_code ec, std::size_t) {
                        if (ec) return self->close();
                        if (!keep) return self->linger_close();
                        self->read_header();
                      });
  }

  /// Lingering close (RFC 9112 section 9.6; nginx's lingering_close): half-closes, then reads
  /// and drops what the client still sends (e.g. the body of a request refused from its header)
  /// until it closes, at most HTTP_LINGER_MAX_BYTES bytes and HTTP_LINGER_MS ms, then closes.
  /// Closing with unread bytes would make the kernel answer a reset, and a client still
  /// writing its body may then lose the response it has not read yet. Asynchronous: the I/O
  /// thread never waits; the connection keeps its MAX_CONNECTIONS slot meanwhile.
  void linger_close() {
    busy_ = false;
    // The socket leaves this session (http/lingering_close.hpp); it keeps the connection slot
    // until it closes, within the linger bounds.
    lingering_close(stream_.release_socket(), linger_bounds(context_.settings), context_.metrics,
                    std::move(connection_slot_));
  }

  void log_access(int status, const std::string& route_class) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    context_.metrics.observe_http(route_class, status, seconds);
    // The path only: /ws carries the token in its query string.
    common::logger("http")->info("request_id={} method={} path={} status={} duration_ms={:.2f}",
                                 request_id_, common::json_escape(method_),
                                 common::json_escape(path_), status, seconds * 1000.0);
  }

  void close() {
    busy_ = false;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  ServerContext& context_;
  std::shared_ptr<const void> connection_slot_;  // MAX_CONNECTIONS accounting, held until close
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool busy_ = false;
  bool keep_alive_ = false;
  bool close_after_response_ = false;
  std::string request_id_;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

/// Accepts connections on the io_context itself: the gateway runs one I/O thread, an implicit
/// strand (so the fan-out hub delivers to a socket without a post, see WsSession::on_event).
class HttpServer::Listener : public std::enable_shared_from_this<HttpServer::Listener> {
 public:
  Listener(net::io_context& io, ServerContext& context)
      : io_(io), acceptor_(net::make_strand(io)), context_(context) {}

  void open(const std::string& host, unsigned short port) {
    tcp::endpoint endpoint(net::ip::make_address(host), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
  }

  void accept() {
    acceptor_.async_accept(io_.get_executor(),
                           [self = shared_from_this()](error_code ec, tcp::socket socket) {
                             if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) {
                               return;
                             }
                             if (!ec) {
                               self->admit(std::move(socket));
                             } else {
                               common::logger("http")->warn("accept failed: {}", ec.message());
                             }
                             self->accept();
                           });
  }

  /// Starts a session for `socket` unless a connection cap is reached; then writes the fixed
  /// 503 without blocking (a small write fits the socket buffer) and closes lingering
  /// (refuse()).
  void admit(tcp::socket socket) {
    error_code ec;
    std::string key;
    auto peer = socket.remote_endpoint(ec);
    // Behind trusted proxies every peer is a proxy: only the total cap applies (the ingress
    // limits connections per client).
    if (!ec && context_.settings.trusted_proxy_hops == 0) key = address_key(peer.address());
    ConnectionLimits::Refusal refusal = ConnectionLimits::Refusal::kNone;
    auto slot = context_.connections.acquire(key, &refusal);
    if (!slot) return refuse(std::move(socket));
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<HttpSession>(std::move(socket), context_, std::move(slot))->run();
  }

  /// gwleft: the fixed 503 for a connection over a cap, then a lingering close (a client already
  /// sending its request reads the 503 instead of a reset). The refused socket takes no
  /// connection slot (there is none for it): at most HTTP_LINGER_REFUSALS of them linger at
  /// once, each within HTTP_LINGER_MAX_BYTES / HTTP_LINGER_MS; past that one is closed at once.
  void refuse(tcp::socket socket) {
    error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(net::buffer(kTooManyConnections.data(), kTooManyConnections.size()), ec);
    std::shared_ptr<const void> place;
    if (*lingering_refusals_ < context_.settings.http_linger_refusals) {
      ++*lingering_refusals_;
      auto count = lingering_refusals_;
      place = std::shared_ptr<const void>(count.get(), [count](const void*) { --*count; });
    }
    if (!place) {
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
      return;
    }
    lingering_close(std::move(socket), linger_bounds(context_.settings), context_.metrics,
                    std::move(place));
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

  unsigned short port() const { return port_; }

 private:
  net::io_context& io_;
  tcp::acceptor acceptor_;
  ServerContext& context_;
  unsigned short port_ = 0;
  // Refused connections lingering now (refuse()); the I/O thread only. Shared with each
  // linger's place, which may outlive the listener.
  std::shared_ptr<std::size_t> lingering_refusals_ = std::make_shared<std::size_t>(0);
};

HttpServer::HttpServer(net::io_context& io, ServerContext& context) : io_(io), context_(context) {}

HttpServer::~HttpServer() = default;

void HttpServer::start(const std::string& host, unsigned short port) {
  listener_ = std::make_shared<Listener>(io_, context_);
  listener_->open(host, port);
  listener_->accept();
}

unsigned short HttpServer::port() const { return listener_ ? listener_->port() : 0; }

void HttpServer::stop_accepting() {
  if (listener_) listener_->stop();
}

}  // namespace botfactory::gateway
