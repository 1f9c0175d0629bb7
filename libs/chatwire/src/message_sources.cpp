#include "botfactory/chatwire/message_sources.hpp"

namespace botfactory::chatwire {

void append_sources(boost::json::object& message_json, const botfactory::chat::v1::Message& message) {
  if (message.sources_size() == 0) return;
  boost::json::array sources;
  sources.reserve(static_cast<std::size_t>(message.sources_size()));
  for (const auto& source : message.sources()) {
    boost::json::object entry;
    entry.reserve(3);
    entry.emplace("document_id", source.document_id());
    entry.emplace("document_title", source.document_title());
    entry.emplace("chunk_id", source.chunk_id());
    sources.emplace_back(std::move(entry));
  }
  message_json.emplace("sources", std::move(sources));
}

namespace {

std::string string_member(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value || !value->is_string()) return {};
  return std::string(value->get_string());
}

}  // namespace

void parse_sources(std::string_view stored, botfactory::chat::v1::Message& message) {
  boost::system::error_code error;
  auto parsed = boost::json::parse(stored, error);
  if (error || !parsed.is_array()) return;
  for (const auto& entry : parsed.get_array()) {
    if (!entry.is_object()) continue;
    const auto& object = entry.get_object();
    auto* source = message.add_sources();
    source->set_document_id(string_member(object, "document_id"));
    source->set_document_title(string_member(object, "document_title"));
    source->set_chunk_id(string_member(object, "chunk_id"));
  }
}

}  // namespace botfactory::chatwire
