#pragma once
// What every connection of one gateway instance shares (owned by Gateway).

#include <atomic>

namespace botfactory::jwt {
class TokenVerifier;
}
namespace botfactory::redis {
class Subscriber;
}

namespace botfactory::gateway {

struct GatewaySettings;
struct Upstreams;
struct GatewayMetrics;
class RestApi;
class ClientRateLimits;
class StaticFiles;
class ChatOps;
class FanoutHub;
class SessionRegistry;
class WorkQueue;
class ConnectionLimits;
class DependencyMonitor;
class VisitorPresence;
class CallSignalling;
class RoomOps;
class IngestLimiter;
class TokenRevocations;

/// References to the instance's parts; all outlive every connection.
struct ServerContext {
  const GatewaySettings& settings;
  WorkQueue& workers;  // blocking calls (gRPC, files) run here; bounded (try_submit)
  const Upstreams& upstreams;
  const jwt::TokenVerifier& verifier;
  const RestApi& rest;
  const ClientRateLimits& limits;  // per-IP limits of unauthenticated endpoints
  const StaticFiles& static_files;
  const ChatOps& chat;
  FanoutHub& hub;
  redis::Subscriber& subscriber;
  SessionRegistry& sessions;
  ConnectionLimits& connections;  // MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP
  const DependencyMonitor& dependencies;  // per-dependency state for /readyz
  GatewayMetrics& metrics;
  std::atomic<bool>& stopping;  // set at shutdown: no new connections or keep-alive
  VisitorPresence& presence;    // conversations with a visitor socket here (Redis heartbeats)
  const RoomOps& rooms;         // rooms: membership-checked calls, room presence (ws/room_ops.hpp)
  IngestLimiter& ingest;        // INGEST_MAX_IN_FLIGHT: message.send in flight, whole gateway
  CallSignalling* calls = nullptr;  // calls: WebRTC signalling (ws/call_signalling.hpp)
  TokenRevocations* revocations = nullptr;  // revoked user tokens (http/token_revocation.hpp)
};

}  // namespace botfactory::gateway
