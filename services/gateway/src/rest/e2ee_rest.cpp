#include "rest/e2ee_rest.hpp"

#include <boost/json.hpp>

#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"
#include "rest/json_response.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;
using E2eeRpc = chat::v1::E2eeService::StubInterface;

template <typename Request, typename Response>
Response call(const Upstreams& upstreams, UnaryMethod<E2eeRpc, Request, Response> method,
              const Request& request) {
  if (!upstreams.e2ee) throw ApiError(503, "unavailable", "end-to-end encryption is not available");
  Response response;
  check(upstreams.call(*upstreams.e2ee, method, request, response));
  return response;
}

ApiError validation(const std::string& message) { return ApiError(400, "validation_failed", message); }

std::string string_field(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) throw validation(std::string(key) + " must be a string");
  return std::string(it->value().as_string());
}

std::int32_t epoch_field(const json::object& o) {
  auto it = o.find("epoch");
  if (it == o.end() || !it->value().is_int64() || it->value().as_int64() < 1 ||
      it->value().as_int64() > 2147483647) {
    throw validation("epoch must be an integer >= 1");
  }
  return static_cast<std::int32_t>(it->value().as_int64());
}

json::object device_json(const chat::v1::E2eeDevice& d) {
  return json::object{{"user_id", d.user_id()},
                      {"device_id", d.device_id()},
                      {"public_key", d.public_key()},
                      {"created_at", d.has_created_at() ? json::value(rpc::rfc3339(d.created_at())) : json::value(nullptr)}};
}

json::object room_keys_json(const chat::v1::RoomKeys& keys) {
  json::array devices;
  for (const auto& d : keys.devices()) {
    devices.push_back(json::object{{"user_id", d.user_id()},
                                   {"device_id", d.device_id()},
                                   {"public_key", d.public_key()},
                                   {"has_key", d.has_key()}});
  }
  json::array mine;
  for (const auto& k : keys.my_keys()) {
    mine.push_back(json::object{{"epoch", k.epoch()},
                                {"key_id", k.key_id()},
                                {"wrapped_key", k.wrapped_key()},
                                {"wrapped_by", json::object{{"user_id", k.wrapped_by().user_id()},
                                                            {"device_id", k.wrapped_by().device_id()},
                                                            {"public_key", k.wrapped_by().public_key()}}}});
  }
  return json::object{{"key_epoch", keys.key_epoch()},
                      {"key_id", keys.key_id().empty() ? json::value(nullptr) : json::value(keys.key_id())},
                      {"devices", std::move(devices)},
                      {"my_keys", std::move(mine)}};
}

chat::v1::PutRoomKeysRequest keys_request(const json::object& body) {
  chat::v1::PutRoomKeysRequest r;
  r.set_epoch(epoch_field(body));
  r.set_key_id(string_field(body, "key_id"));
  r.set_device_id(string_field(body, "device_id"));
  auto it = body.find("keys");
  if (it == body.end() || !it->value().is_array()) throw validation("keys must be an array");
  const auto& keys = it->value().as_array();
  if (keys.empty() || keys.size() > 1000) throw validation("keys must hold 1..1000 wraps");
  for (const auto& k : keys) {
    if (!k.is_object()) throw validation("every key must be an object");
    auto* wrap = r.add_keys();
    wrap->set_user_id(string_field(k.as_object(), "user_id"));
    wrap->set_device_id(string_field(k.as_object(), "device_id"));
    wrap->set_wrapped_key(string_field(k.as_object(), "wrapped_key"));
  }
  return r;
}

}  // namespace

HttpResponse e2ee_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                       const std::vector<std::string>& params, const HttpRequest& request) {
  if (claims.kind != jwt::TokenKind::kUser) {
    throw ApiError(403, "forbidden", "end-to-end encryption is for users only");
  }
  chat::v1::RoomActor actor;
  actor.set_tenant_id(claims.tenant_id);
  actor.set_kind("user");
  actor.set_id(claims.subject);
  const std::string id = params.empty() ? std::string() : params[0];
  switch (endpoint) {
    case Endpoint::kPutE2eeDevice: {
      if (request.body.size() > kE2eeDeviceBodyBytes) {
        throw ApiError(413, "payload_too_large", "a device body is at most 4096 bytes");
      }
      auto body = parse_json_object(request.body);
      chat::v1::PutDeviceRequest r;
      *r.mutable_actor() = actor;
      r.set_device_id(id);
      r.set_public_key(string_field(body, "public_key"));
      return json_response(200, device_json(call(upstreams, &E2eeRpc::PutDevice, r)));
    }
    case Endpoint::kListE2eeDevices: {
      chat::v1::ListDevicesRequest r;
      *r.mutable_actor() = actor;
      auto listed = call(upstreams, &E2eeRpc::ListDevices, r);  // outlives the loop
      json::array devices;
      for (const auto& d : listed.devices()) devices.push_back(device_json(d));
      return json_response(200, json::object{{"devices", std::move(devices)}});
    }
    case Endpoint::kGetRoomE2ee: {
      chat::v1::GetRoomKeysRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(id);
      if (auto it = request.query.find("device_id"); it != request.query.end()) r.set_device_id(it->second);
      return json_response(200, room_keys_json(call(upstreams, &E2eeRpc::GetRoomKeys, r)));
    }
    case Endpoint::kPostRoomE2eeKeys: {
      auto r = keys_request(parse_json_object(request.body));
      *r.mutable_actor() = actor;
      r.set_room_id(id);
      auto stored = call(upstreams, &E2eeRpc::PutRoomKeys, r);
      return json_response(200, json::object{{"key_epoch", stored.key_epoch()},
                                             {"key_id", stored.key_id()},
                                             {"stored", stored.stored()}});
    }
    default: break;
  }
  throw ApiError(404, "not_found", "no such endpoint");
}

}  // namespace botfactory::gateway
