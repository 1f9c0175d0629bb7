#include "rest/json_response.hpp"

#include <boost/json/serialize.hpp>

namespace botfactory::gateway {

HttpResponse json_response(int status, const boost::json::value& value) {
  HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(value);
  return response;
}

}  // namespace botfactory::gateway
