#include "chat/message_sources.hpp"

#include "botfactory/common/text.hpp"
#include "chat/validation.hpp"

namespace botfactory::channel {
namespace {

void bound_field(std::string& field, std::size_t max_code_points) {
  if (!common::is_valid_utf8(field) || field.find('\0') != std::string::npos) {
    field.clear();
    return;
  }
  field = truncate_code_points(field, max_code_points);
}

}  // namespace

std::vector<ReplySource> bound_sources(std::vector<ReplySource> sources) {
  if (sources.size() > kMaxMessageSources) sources.resize(kMaxMessageSources);
  for (auto& source : sources) {
    bound_field(source.document_id, kMaxSourceIdCodePoints);
    bound_field(source.document_title, kMaxSourceTitleCodePoints);
    bound_field(source.chunk_id, kMaxSourceIdCodePoints);
  }
  return sources;
}

}  // namespace botfactory::channel
