#pragma once
// The first check of every tenant-scoped RPC, the same in every service.

#include <string_view>

namespace botfactory::rpc {

/// Checks the tenant a tenant-scoped call acts for. Throws StatusError INVALID_ARGUMENT
/// "tenant_id is required" when `tenant_id` is empty (an empty tenant never means "no filter")
/// and "tenant_id must be a UUID" when it is not a UUID (common::is_uuid: RFC 9562 8-4-4-4-12
/// hex form).
void require_tenant(std::string_view tenant_id);

}  // namespace botfactory::rpc
