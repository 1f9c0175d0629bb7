#pragma once
// In-test fakes of auth, subscription, bot-registry and channel-connector on one real gRPC
// server (port 0), implementing only what the gateway integration test needs. The chat fake
// commits messages in memory with per-conversation seq and publishes the chatwire frame on the
// real test Redis, like channel-connector.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "botfactory/chat/v1/chat.pb.h"
#include "botfactory/jwt/tokens.hpp"

namespace botfactory::gateway_test {

inline constexpr const char* kJwtSecret = "integration-test-secret-0123456789abcdef";
inline constexpr const char* kTenant = "t1";
inline constexpr const char* kOtherTenant = "t2";
inline constexpr const char* kBotId = "b1";
inline constexpr const char* kPublicId = "pb_demo";
inline constexpr const char* kUserId = "u1";
inline constexpr const char* kUserEmail = "owner@example.com";
inline constexpr const char* kUserPassword = "correct-horse";
inline constexpr const char* kGreeting = "Hello! Ask me anything.";

class FakeUpstreams {
 public:
  FakeUpstreams(const std::string& redis_host, int redis_port);
  ~FakeUpstreams();

  /// "127.0.0.1:<port>" of the gRPC server serving all four fakes.
  std::string address() const;
  /// PostMessage calls that reached the chat fake.
  int post_calls() const;
  /// Messages stored in a conversation.
  std::size_t stored_messages(const std::string& conversation_id) const;
  /// Commits a message without publishing it (a lost publish).
  chat::v1::Message store_silently(const std::string& conversation_id, const std::string& text);
  /// Commits a message and publishes it (as the bot pipeline would).
  chat::v1::Message store_and_publish(const std::string& conversation_id, const std::string& text);
  /// Runs `hook` at the start of every PostMessage, on the gRPC server's thread, before the
  /// chat fake looks at the request (it may block: an upstream that holds its answers). Set it
  /// before the traffic it should see; an empty function removes it.
  void on_post(std::function<void(const chat::v1::PostMessageRequest&)> hook);
  /// Signs tokens like auth does.
  const jwt::TokenSigner& signer() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace botfactory::gateway_test
