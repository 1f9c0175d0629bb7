#pragma once
// The bounds of the sources stored with a bot message (chat.v1 Message.sources).

#include <cstddef>
#include <vector>

#include "pipeline/pipeline_ports.hpp"

namespace botfactory::channel {

/// At most this many sources per message; later ones are dropped (the database refuses more).
constexpr std::size_t kMaxMessageSources = 10;
/// document_title is cut to this many code points.
constexpr std::size_t kMaxSourceTitleCodePoints = 200;
/// document_id and chunk_id are cut to this many code points.
constexpr std::size_t kMaxSourceIdCodePoints = 100;

/// `sources` bounded for storage: the first kMaxMessageSources, in order (a citation [n] in the
/// reply text is sources[n-1], so none is removed from the middle), each field cut to its
/// bound; a field that is not valid UTF-8 or holds a NUL becomes empty. Never throws.
std::vector<ReplySource> bound_sources(std::vector<ReplySource> sources);

}  // namespace botfactory::channel
