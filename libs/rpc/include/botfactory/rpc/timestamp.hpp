#pragma once
// google.protobuf.Timestamp conversions.

#include <cstdint>
#include <string>

#include <google/protobuf/timestamp.pb.h>

namespace botfactory::rpc {

/// Timestamp from microseconds since the Unix epoch (what `extract(epoch ...)*1e6` gives).
google::protobuf::Timestamp timestamp_from_micros(std::int64_t micros);

/// Microseconds since the Unix epoch.
std::int64_t micros_from_timestamp(const google::protobuf::Timestamp& ts);

/// RFC 3339 UTC text with milliseconds, e.g. "2026-11-22T04:40:31.123Z".
std::string rfc3339(const google::protobuf::Timestamp& ts);

/// SQL expression fragment turning a timestamptz column into integer microseconds:
/// e.g. `SELECT " + sql_micros("created_at") + " FROM ...`.
std::string sql_micros(const std::string& column);

}  // namespace botfactory::rpc
