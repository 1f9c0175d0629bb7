#include "botfactory/rpc/timestamp.hpp"

#include "botfactory/common/time.hpp"

namespace botfactory::rpc {

google::protobuf::Timestamp timestamp_from_micros(std::int64_t micros) {
  google::protobuf::Timestamp ts;
  std::int64_t seconds = micros / 1'000'000;
  std::int64_t rem = micros % 1'000'000;
  if (rem < 0) {
    rem += 1'000'000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int>(rem * 1000));
  return ts;
}

std::int64_t micros_from_timestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1'000'000 + ts.nanos() / 1000;
}

std::string rfc3339(const google::protobuf::Timestamp& ts) {
  return common::rfc3339_utc_from_micros(micros_from_timestamp(ts));
}

std::string sql_micros(const std::string& column) {
  return "(extract(epoch from " + column + ") * 1000000)::bigint";
}

}  // namespace botfactory::rpc
