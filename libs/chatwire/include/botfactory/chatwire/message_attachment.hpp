#pragma once
// The `attachment` member of a message in the chat wire format (files, issue 11): shared by the
// live `message.new` frame, replays and the REST message list, so all three agree.

#include <boost/json/object.hpp>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::chatwire {

/// Adds "attachment": {"id","media_type","size_bytes","name","width","height","has_thumbnail",
/// "url","thumbnail_url"} to `body` when `message` carries one; the URLs are the gateway's
/// /api/v1/attachments/{id}[/thumbnail] (docs/api.md "Attachments"). Nothing otherwise.
void append_attachment(boost::json::object& body, const botfactory::chat::v1::Message& message);

}  // namespace botfactory::chatwire
