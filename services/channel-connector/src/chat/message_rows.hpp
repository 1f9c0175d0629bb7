#pragma once
// The row mapping of chat.messages shared by the repositories that read messages (chat_store,
// message_edit_repository, room_repository): one column list and one reader, so a message
// reads the same wherever it comes from (replay = live frame).

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::pg {
class Result;
}

namespace botfactory::channel {

/// The columns read_message_row() reads, of chat.messages aliased `m`, in this order: id,
/// conversation_id, seq, sender_kind, sender_id, sender_name, text, client_id, created_at (µs),
/// sources (jsonb text; NULL on a tombstone), edited_at (µs or NULL), deleted_at (µs or NULL),
/// event (a room's membership event, '' for a message), rateable (answer feedback: a bot answer
/// with answered set, not deleted).
#define BF_MESSAGE_ROW_COLUMNS                                                                \
  "m.id, m.conversation_id, m.seq, m.sender_kind, m.sender_id, m.sender_name, m.text, "      \
  "m.client_id, (extract(epoch from m.created_at) * 1000000)::bigint, "                       \
  "CASE WHEN m.deleted_at IS NULL THEN m.sources::text END, "                                 \
  "(extract(epoch from m.edited_at) * 1000000)::bigint, "                                     \
  "(extract(epoch from m.deleted_at) * 1000000)::bigint, COALESCE(m.event, ''), "            \
  "(m.sender_kind = 'bot' AND m.answered IS NOT NULL AND m.deleted_at IS NULL)"

/// Columns of BF_MESSAGE_ROW_COLUMNS; the first kMessageRowBaseColumns of them (id .. sources)
/// are the minimum read_message_row() needs.
inline constexpr int kMessageRowColumns = 14;
inline constexpr int kMessageRowBaseColumns = 10;

/// The message in row `row` whose BF_MESSAGE_ROW_COLUMNS start at column `first`; `columns`
/// = kMessageRowBaseColumns for a query that selects only id .. sources (edit state and event
/// then left unset). Sources that are not a JSON array of objects are skipped
/// (chatwire::parse_sources); never throws for a well-formed result.
chat::v1::Message read_message_row(const pg::Result& r, int row, int first = 0,
                                   int columns = kMessageRowColumns);

}  // namespace botfactory::channel
