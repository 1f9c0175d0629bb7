#include "botfactory/rpc/tenant.hpp"

#include "botfactory/common/ids.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::rpc {

void require_tenant(std::string_view tenant_id) {
  if (tenant_id.empty()) throw_invalid("tenant_id is required");
  if (!common::is_uuid(tenant_id)) throw_invalid("tenant_id must be a UUID");
}

}  // namespace botfactory::rpc
