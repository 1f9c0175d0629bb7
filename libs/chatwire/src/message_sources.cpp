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

}  // namespace botfactory::chatwire
