#include "botfactory/common/request_id.hpp"

namespace botfactory::common {
namespace {

constexpr std::size_t kMaxLength = 64;
thread_local std::string t_request_id;

}  // namespace

const std::string& current_request_id() { return t_request_id; }

ScopedRequestId::ScopedRequestId(std::string_view id) : previous_(std::move(t_request_id)) {
  t_request_id.assign(id.substr(0, kMaxLength));
}

ScopedRequestId::~ScopedRequestId() { t_request_id = std::move(previous_); }

}  // namespace botfactory::common
