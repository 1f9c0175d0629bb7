#pragma once
// The one way REST handlers answer with a JSON body (docs/api.md).

#include <boost/json/value.hpp>

#include "http/http_message.hpp"

namespace botfactory::gateway {

/// An HttpResponse with `status` (an HTTP status code) and `value` serialized as its body
/// (RFC 8259, UTF-8); the content type is HttpResponse's default, application/json.
HttpResponse json_response(int status, const boost::json::value& value);

}  // namespace botfactory::gateway
