#pragma once
// Long polling of Telegram (getUpdates with offset and timeout,
// https://core.telegram.org/bots/api#getupdates) for every polling channel this replica leases:
// one outstanding getUpdates per channel, all driven by one thread through libs/http_client's
// libcurl multi handle. Updates are stored in the inbox together with the next offset, in one
// transaction, before the next getUpdates confirms them to Telegram.

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "botfactory/http_client/http_client.hpp"
#include "channels/channel_bindings.hpp"
#include "channels/channel_repository.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::channel {

namespace telegram {
class BotApiClient;
}

/// Tunables of the poller.
struct PollerSettings {
  int timeout_s = 25;                            // TELEGRAM_POLL_TIMEOUT_S (getUpdates timeout)
  // Re-read the polling channels (and renew this replica's poll leases) this often:
  // CHANNEL_LEASE_RENEW_MS.
  std::chrono::milliseconds refresh{3000};
  // One replica polls a channel until this long after its last renewal: CHANNEL_LEASE_MS. A
  // killed replica's channels are polled by another within lease + refresh.
  std::chrono::milliseconds lease{10000};
  std::chrono::milliseconds error_pause{5000};   // after a failed poll
  std::chrono::milliseconds token_pause{60000};  // after 401/404 (token revoked)
  std::size_t max_channels = 1000;               // polled at once by this replica
};

/// One thread. Thread-safe start/stop.
class TelegramPoller {
 public:
  TelegramPoller(ChannelRepository& repository, std::shared_ptr<const crypto::SecretBox> box,
                 telegram::BotApiClient& telegram, InboxWaker& inbox, PollerSettings settings,
                 std::string owner);
  ~TelegramPoller();
  TelegramPoller(const TelegramPoller&) = delete;
  TelegramPoller& operator=(const TelegramPoller&) = delete;

  void start();
  void stop();

 private:
  struct Poll {
    ChannelRecord channel;
    std::string token;
    std::unique_ptr<http::Response> response;
    std::string body;
    std::chrono::steady_clock::time_point not_before{};
    bool seen = true;
  };
  void loop();
  void refresh();
  /// Drives one poll; true when something happened.
  bool step(Poll& poll, std::chrono::steady_clock::time_point now);
  void complete(Poll& poll, long status, http::Failure failure);

  ChannelRepository& repository_;
  std::shared_ptr<const crypto::SecretBox> box_;
  telegram::BotApiClient& telegram_;
  InboxWaker& inbox_;
  PollerSettings settings_;
  std::string owner_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, Poll> polls_;  // by channel id; poller thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace botfactory::channel
