#include "botfactory/rpc/retry_after.hpp"

#include <algorithm>

#include "botfactory/common/v1/common.pb.h"
#include "botfactory/rpc/status.hpp"

namespace botfactory::rpc {

void throw_retry_later(grpc::StatusCode code, const std::string& message, int retry_after_s) {
  common::v1::RetryInfo info;
  info.set_retry_after_s(std::max(retry_after_s, 1));
  throw StatusError(code, message, info.SerializeAsString());
}

std::optional<int> retry_after_seconds(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  common::v1::RetryInfo info;
  if (!info.ParseFromString(status.error_details()) || info.retry_after_s() <= 0) {
    return std::nullopt;
  }
  return info.retry_after_s();
}

}  // namespace botfactory::rpc
