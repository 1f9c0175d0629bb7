#include "fake_upstreams.hpp"

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "botfactory/billing/v1/billing.grpc.pb.h"
#include "botfactory/chat/v1/chat.grpc.pb.h"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/chatwire/conversation_event.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/registry/v1/registry.grpc.pb.h"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::gateway_test {
namespace {

/// The status rpc::throw_retry_later would send (a RetryInfo in the details).
grpc::Status retry_later(grpc::StatusCode code, const std::string& message, int seconds) {
  try {
    rpc::throw_retry_later(code, message, seconds);
  } catch (const rpc::StatusError& e) {
    return e.status();
  }
}

google::protobuf::Timestamp now_ts() {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return rpc::timestamp_from_micros(micros);
}

auth::v1::User the_user() {
  auth::v1::User user;
  user.set_id(kUserId);
  user.set_tenant_id(kTenant);
  user.set_email(kUserEmail);
  user.set_username("owner");
  *user.mutable_created_at() = now_ts();
  return user;
}

registry::v1::Bot the_bot() {
  registry::v1::Bot bot;
  bot.set_id(kBotId);
  bot.set_tenant_id(kTenant);
  bot.set_public_id(kPublicId);
  bot.set_name("Demo bot");
  bot.set_language("en");
  bot.set_greeting(kGreeting);
  bot.mutable_provider()->set_provider("extractive");
  *bot.mutable_created_at() = now_ts();
  *bot.mutable_updated_at() = now_ts();
  return bot;
}

}  // namespace

struct FakeUpstreams::Impl {
  Impl(const std::string& redis_host, int redis_port)
      : publisher(redis_host, redis_port), signer(kJwtSecret, "botfactory") {}

  struct Conversation {
    chat::v1::Conversation info;
    std::vector<chat::v1::Message> messages;
    std::map<std::string, chat::v1::Message> by_client_id;
  };

  chat::v1::Message commit(const std::string& conversation_id, const chat::v1::Sender& sender,
                           const std::string& client_id, const std::string& text, bool publish) {
    chat::v1::Message message;
    {
      std::lock_guard lock(mutex);
      auto& c = conversations.at(conversation_id);
      message.set_id("m_" + common::random_base62(12));
      message.set_conversation_id(conversation_id);
      message.set_seq(c.info.last_seq() + 1);
      *message.mutable_sender() = sender;
      message.set_text(text);
      message.set_client_id(client_id);
      *message.mutable_created_at() = now_ts();
      c.info.set_last_seq(message.seq());
      c.messages.push_back(message);
      if (!client_id.empty()) c.by_client_id[client_id] = message;
    }
    if (publish) {
      publisher.publish(chatwire::conversation_channel(conversation_id),
                        chatwire::encode_message_new(message));
    }
    return message;
  }

  class Auth final : public auth::v1::AuthService::Service {
   public:
    explicit Auth(Impl& d) : d_(d) {}
    grpc::Status Register(grpc::ServerContext*, const auth::v1::RegisterRequest* request,
                          auth::v1::User* response) override {
      if (request->password().size() < 8) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "password must be at least 8 characters"};
      }
      if (request->email() == kUserEmail) {
        return {grpc::StatusCode::ALREADY_EXISTS, "email already registered"};
      }
      response->set_id("u_" + common::random_base62(8));
      response->set_tenant_id("t_" + common::random_base62(8));
      response->set_email(request->email());
      response->set_username(request->username());
      *response->mutable_created_at() = now_ts();
      return grpc::Status::OK;
    }
    grpc::Status Login(grpc::ServerContext*, const auth::v1::LoginRequest* request,
                       auth::v1::TokenPair* response) override {
      // What real auth answers for a throttled account and when hashing is at capacity.
      if (request->email() == "throttled@example.com") {
        return retry_later(grpc::StatusCode::RESOURCE_EXHAUSTED,
                           "too many failed logins, try again later", 7);
      }
      if (request->email() == "busy@example.com") {
        return retry_later(grpc::StatusCode::UNAVAILABLE,
                           "too many logins in progress, try again shortly", 1);
      }
      if (request->email() != kUserEmail || request->password() != kUserPassword) {
        return {grpc::StatusCode::UNAUTHENTICATED, "invalid email or password"};
      }
      jwt::Claims claims;
      claims.subject = std::string(kUserId);
      claims.tenant_id = std::string(kTenant);
      response->set_access_token(d_.signer.sign(claims, std::chrono::seconds(900)));
      response->set_refresh_token("refresh-" + common::random_base62(16));
      response->set_expires_in(900);
      *response->mutable_user() = the_user();
      return grpc::Status::OK;
    }
    grpc::Status GetUser(grpc::ServerContext*, const auth::v1::GetUserRequest* request,
                         auth::v1::User* response) override {
      if (request->user_id() != kUserId) return {grpc::StatusCode::NOT_FOUND, "no such user"};
      *response = the_user();
      return grpc::Status::OK;
    }
    grpc::Status IssueVisitorToken(grpc::ServerContext*,
                                   const auth::v1::IssueVisitorTokenRequest* request,
                                   auth::v1::IssueVisitorTokenResponse* response) override {
      jwt::Claims claims;
      claims.kind = jwt::TokenKind::kVisitor;
      claims.subject = request->visitor_id();
      claims.tenant_id = request->tenant_id();
      claims.bot_id = request->bot_id();
      claims.conversation_id = request->conversation_id();
      claims.name = request->visitor_name();
      claims.origin = request->origin();
      response->set_token(d_.signer.sign(claims, std::chrono::hours(24)));
      response->set_expires_in(86400);
      return grpc::Status::OK;
    }

   private:
    Impl& d_;
  };

  class Billing final : public billing::v1::SubscriptionService::Service {
   public:
    explicit Billing(Impl& d) : d_(d) {}
    grpc::Status StartTrial(grpc::ServerContext*, const billing::v1::StartTrialRequest* request,
                            billing::v1::Subscription* response) override {
      ++d_.start_trial_calls;
      response->set_tenant_id(request->tenant_id());
      response->set_status(billing::v1::SUBSCRIPTION_STATUS_TRIALING);
      response->mutable_plan()->set_code("trial");
      return grpc::Status::OK;
    }

   private:
    Impl& d_;
  };

  class Registry final : public registry::v1::BotRegistryService::Service {
   public:
    grpc::Status GetBot(grpc::ServerContext*, const registry::v1::GetBotRequest* request,
                        registry::v1::Bot* response) override {
      if (request->tenant_id() != kTenant || request->bot_id() != kBotId) {
        return {grpc::StatusCode::NOT_FOUND, "bot not found"};
      }
      *response = the_bot();
      return grpc::Status::OK;
    }
    grpc::Status AddDocument(grpc::ServerContext*, const registry::v1::AddDocumentRequest* request,
                             registry::v1::Document* response) override {
      if (request->tenant_id() != kTenant || request->bot_id() != kBotId) {
        return {grpc::StatusCode::NOT_FOUND, "bot not found"};
      }
      if (request->title().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "title is required"};
      response->set_id("d_" + common::random_base62(8));
      response->set_bot_id(request->bot_id());
      response->set_title(request->title());
      response->set_format(request->format());
      response->set_size_bytes(static_cast<std::int64_t>(request->body().size()));
      response->set_chunk_count(1);
      *response->mutable_created_at() = now_ts();
      return grpc::Status::OK;
    }
    grpc::Status GetBotByPublicId(grpc::ServerContext*,
                                  const registry::v1::GetBotByPublicIdRequest* request,
                                  registry::v1::Bot* response) override {
      if (request->public_id() != kPublicId) return {grpc::StatusCode::NOT_FOUND, "bot not found"};
      *response = the_bot();
      return grpc::Status::OK;
    }
  };

  class Chat final : public chat::v1::ChannelConnectorService::Service {
   public:
    explicit Chat(Impl& d) : d_(d) {}
    grpc::Status CreateConversation(grpc::ServerContext*,
                                    const chat::v1::CreateConversationRequest* request,
                                    chat::v1::Conversation* response) override {
      std::string id = "c_" + common::random_base62(16);
      {
        std::lock_guard lock(d_.mutex);
        auto& c = d_.conversations[id];
        c.info.set_id(id);
        c.info.set_tenant_id(request->tenant_id());
        c.info.set_bot_id(request->bot_id());
        c.info.set_channel(request->channel());
        c.info.mutable_visitor()->set_kind(common::v1::SENDER_KIND_VISITOR);
        c.info.mutable_visitor()->set_id(request->visitor_id());
        c.info.mutable_visitor()->set_name(request->visitor_name());
        *c.info.mutable_created_at() = now_ts();
      }
      chat::v1::Sender bot;
      bot.set_kind(common::v1::SENDER_KIND_BOT);
      bot.set_id(request->bot_id());
      bot.set_name("Demo bot");
      d_.commit(id, bot, "", kGreeting, true);
      std::lock_guard lock(d_.mutex);
      *response = d_.conversations.at(id).info;
      return grpc::Status::OK;
    }
    grpc::Status GetConversation(grpc::ServerContext*,
                                 const chat::v1::GetConversationRequest* request,
                                 chat::v1::Conversation* response) override {
      std::lock_guard lock(d_.mutex);
      auto it = d_.conversations.find(request->conversation_id());
      if (it == d_.conversations.end() ||
          (!request->tenant_id().empty() && it->second.info.tenant_id() != request->tenant_id())) {
        return {grpc::StatusCode::NOT_FOUND, "conversation not found"};
      }
      *response = it->second.info;
      return grpc::Status::OK;
    }
    // channel-connector's rules (ChatStore::set_state), publishing the conversation.state event
    // when the state changed.
    grpc::Status SetConversationState(grpc::ServerContext*,
                                      const chat::v1::SetConversationStateRequest* request,
                                      chat::v1::Conversation* response) override {
      bool changed = false;
      {
        std::lock_guard lock(d_.mutex);
        auto it = d_.conversations.find(request->conversation_id());
        if (it == d_.conversations.end() || it->second.info.tenant_id() != request->tenant_id()) {
          return {grpc::StatusCode::NOT_FOUND, "conversation not found"};
        }
        auto& info = it->second.info;
        if (info.handler().empty()) info.set_handler("bot");
        std::string handler = info.handler();
        bool waiting = info.waiting_for_human();
        switch (request->action()) {
          case chat::v1::CONVERSATION_ACTION_TAKEOVER: handler = "human"; waiting = false; break;
          case chat::v1::CONVERSATION_ACTION_HANDBACK: handler = "bot"; waiting = false; break;
          case chat::v1::CONVERSATION_ACTION_REQUEST_HUMAN: waiting = handler == "bot"; break;
          default: return {grpc::StatusCode::INVALID_ARGUMENT, "unknown action"};
        }
        changed = handler != info.handler() || waiting != info.waiting_for_human();
        info.set_handler(handler);
        info.set_waiting_for_human(waiting);
        *response = info;
      }
      if (changed) {
        d_.publisher.publish(chatwire::conversation_channel(response->id()),
                             chatwire::encode_conversation_state(response->id(), response->handler(),
                                                                 response->waiting_for_human()));
      }
      return grpc::Status::OK;
    }
    grpc::Status ListMessages(grpc::ServerContext*, const chat::v1::ListMessagesRequest* request,
                              chat::v1::ListMessagesResponse* response) override {
      std::lock_guard lock(d_.mutex);
      auto it = d_.conversations.find(request->conversation_id());
      if (it == d_.conversations.end()) return {grpc::StatusCode::NOT_FOUND, "no conversation"};
      int limit = request->limit() > 0 ? request->limit() : 500;
      for (const auto& m : it->second.messages) {
        if (m.seq() <= request->since_seq()) continue;
        if (response->messages_size() >= limit) break;
        *response->add_messages() = m;
      }
      return grpc::Status::OK;
    }
    grpc::Status PostMessage(grpc::ServerContext*, const chat::v1::PostMessageRequest* request,
                             chat::v1::PostMessageResponse* response) override {
      std::function<void(const chat::v1::PostMessageRequest&)> hook;
      {
        std::lock_guard lock(d_.mutex);
        hook = d_.post_hook;
      }
      if (hook) hook(*request);
      ++d_.post_calls;
      auto trimmed = common::trim(request->text());
      if (trimmed.empty() || common::utf8_length(trimmed) > 4000) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "text must be 1..4000 characters"};
      }
      {
        std::lock_guard lock(d_.mutex);
        auto it = d_.conversations.find(request->conversation_id());
        if (it == d_.conversations.end()) return {grpc::StatusCode::NOT_FOUND, "no conversation"};
        auto dup = it->second.by_client_id.find(request->client_id());
        if (dup != it->second.by_client_id.end()) {
          *response->mutable_message() = dup->second;
          response->set_duplicate(true);
          return grpc::Status::OK;
        }
      }
      *response->mutable_message() = d_.commit(request->conversation_id(), request->sender(),
                                               request->client_id(), request->text(), true);
      return grpc::Status::OK;
    }

   private:
    Impl& d_;
  };

  redis::Publisher publisher;
  jwt::TokenSigner signer;
  mutable std::mutex mutex;
  std::map<std::string, Conversation> conversations;
  std::atomic<int> post_calls{0};
  std::function<void(const chat::v1::PostMessageRequest&)> post_hook;  // guarded by mutex
  std::atomic<int> start_trial_calls{0};
  Auth auth{*this};
  Billing billing{*this};
  Registry registry;
  Chat chat{*this};
  std::unique_ptr<rpc::Server> server;
};

FakeUpstreams::FakeUpstreams(const std::string& redis_host, int redis_port)
    : impl_(std::make_unique<Impl>(redis_host, redis_port)) {
  impl_->server = std::make_unique<rpc::Server>(
      "127.0.0.1:0", std::vector<grpc::Service*>{&impl_->auth, &impl_->billing, &impl_->registry,
                                                 &impl_->chat});
}

FakeUpstreams::~FakeUpstreams() { impl_->server->shutdown(1000); }

std::string FakeUpstreams::address() const {
  return "127.0.0.1:" + std::to_string(impl_->server->port());
}

int FakeUpstreams::post_calls() const { return impl_->post_calls.load(); }

std::size_t FakeUpstreams::stored_messages(const std::string& conversation_id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->conversations.find(conversation_id);
  return it == impl_->conversations.end() ? 0 : it->second.messages.size();
}

chat::v1::Message FakeUpstreams::store_silently(const std::string& conversation_id,
                                                const std::string& text) {
  chat::v1::Sender bot;
  bot.set_kind(common::v1::SENDER_KIND_BOT);
  bot.set_id(kBotId);
  bot.set_name("Demo bot");
  return impl_->commit(conversation_id, bot, "", text, false);
}

chat::v1::Message FakeUpstreams::store_and_publish(const std::string& conversation_id,
                                                   const std::string& text) {
  chat::v1::Sender bot;
  bot.set_kind(common::v1::SENDER_KIND_BOT);
  bot.set_id(kBotId);
  bot.set_name("Demo bot");
  return impl_->commit(conversation_id, bot, "", text, true);
}

void FakeUpstreams::on_post(std::function<void(const chat::v1::PostMessageRequest&)> hook) {
  std::lock_guard lock(impl_->mutex);
  impl_->post_hook = std::move(hook);
}

const jwt::TokenSigner& FakeUpstreams::signer() const { return impl_->signer; }

}  // namespace botfactory::gateway_test
