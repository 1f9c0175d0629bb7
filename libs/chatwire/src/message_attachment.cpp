#include "botfactory/chatwire/message_attachment.hpp"

namespace botfactory::chatwire {

void append_attachment(boost::json::object& body, const botfactory::chat::v1::Message& message) {
  if (!message.has_attachment()) return;
  const auto& a = message.attachment();
  std::string url = "/api/v1/attachments/" + a.id();
  boost::json::object json;
  json.reserve(9);
  json.emplace("id", a.id());
  json.emplace("media_type", a.media_type());
  json.emplace("size_bytes", a.size_bytes());
  json.emplace("name", a.original_name());
  json.emplace("width", a.width());
  json.emplace("height", a.height());
  json.emplace("has_thumbnail", a.has_thumbnail());
  json.emplace("url", url);
  if (a.has_thumbnail()) {
    json.emplace("thumbnail_url", url + "/thumbnail");
  } else {
    json.emplace("thumbnail_url", nullptr);
  }
  body.emplace("attachment", std::move(json));
}

}  // namespace botfactory::chatwire
