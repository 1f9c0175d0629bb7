#pragma once
// A fake Meta Graph API server for tests (tests/support HttpTestServer: real sockets on
// 127.0.0.1:0, plain HTTP) speaking the documented format of WhatsApp Cloud API sends
// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages):
//   POST /<version>/<phone-number-id>/messages, Authorization: Bearer <token>, JSON
//   {"messaging_product":"whatsapp","to","type":"text","text":{"body"}} →
//   200 {"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],"messages":[{"id":"wamid.…"}]}
//   401 {"error":{"code":190,…}} for a token it does not know; scripted failures (fail_next()).
//   Instagram (https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message):
//   POST /<version>/<account id>/messages {"recipient":{"id"},"message":{"text"}} →
//   200 {"recipient_id","message_id":"mid.…"}.
//   Connect-time check: GET /<version>/<id>?fields=id → 200 {"id"} for a known token, else 400
//   {"error":{"code":190,…}}; fail_account_checks(status) answers every check with status.

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "botfactory/testenv/http_test_server.hpp"

namespace botfactory::channel::testing_support {

class FakeMeta {
 public:
  struct Sent {
    std::string path;  // "/v21.0/<phone number id>/messages"
    std::string token;
    std::string to;
    std::string text;
    std::string wamid;
  };

  FakeMeta();
  ~FakeMeta();

  std::string base_url() const { return server_->base_url(); }
  /// Accepts `token` as a valid access token.
  void add_token(const std::string& token);
  /// The next sends answer `status` with Meta error `code` and `message`.
  void fail_next(int status, long code, const std::string& message);
  std::vector<Sent> sent();
  int send_attempts() const { return send_attempts_.load(); }
  /// GET account checks received.
  int account_checks() const { return account_checks_.load(); }
  /// Every account check answers `status` (0 = normal again).
  void fail_account_checks(int status);

 private:
  struct Failure {
    int status;
    long code;
    std::string message;
  };
  void handle(const testenv::HttpTestRequest& request, testenv::HttpTestConnection& connection);
  void handle_account(const testenv::HttpTestRequest& request, testenv::HttpTestConnection& connection);

  std::mutex mutex_;
  std::vector<std::string> tokens_;
  std::deque<Failure> failures_;
  std::vector<Sent> sent_;
  int next_id_ = 1;
  std::atomic<int> send_attempts_{0};
  std::atomic<int> account_checks_{0};
  std::atomic<int> account_failure_{0};
  std::unique_ptr<testenv::HttpTestServer> server_;
};

}  // namespace botfactory::channel::testing_support
