#include "chat/message_rows.hpp"

#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/chatwire/message_sources.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::channel {

chat::v1::Message read_message_row(const pg::Result& r, int row, int first, int columns) {
  chat::v1::Message m;
  m.set_id(r.str(row, first + 0));
  m.set_conversation_id(r.str(row, first + 1));
  m.set_seq(r.int64(row, first + 2));
  auto* sender = m.mutable_sender();
  sender->set_kind(chatwire::sender_kind_from_name(r.text(row, first + 3)));
  sender->set_id(r.str(row, first + 4));
  sender->set_name(r.str(row, first + 5));
  m.set_text(r.str(row, first + 6));
  m.set_client_id(r.str(row, first + 7));
  *m.mutable_created_at() = rpc::timestamp_from_micros(r.int64(row, first + 8));
  if (!r.is_null(row, first + 9)) chatwire::parse_sources(r.text(row, first + 9), m);
  if (columns < kMessageRowColumns) return m;
  if (!r.is_null(row, first + 10)) {
    *m.mutable_edited_at() = rpc::timestamp_from_micros(r.int64(row, first + 10));
  }
  if (!r.is_null(row, first + 11)) {
    m.set_deleted(true);
    *m.mutable_deleted_at() = rpc::timestamp_from_micros(r.int64(row, first + 11));
  }
  m.set_event(r.str(row, first + 12));
  m.set_rateable(r.boolean(row, first + 13));  // answer feedback
  return m;
}

}  // namespace botfactory::channel
