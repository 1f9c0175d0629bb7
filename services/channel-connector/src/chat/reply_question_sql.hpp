#pragma once
// The one rule for "which message did this bot reply answer", as SQL shared by the repositories
// that need it (message_feedback_repository.cpp, unanswered_repository.cpp). The bot pipeline
// posts its reply to message M with client_id "bot-reply-<M.id>", or "bot-ai-<M.id>" for an
// `/ai` command (pipeline/bot_pipeline.cpp, chat/ai_command.hpp; docs/protocol.md "The /ai
// command"), so the client_id names the question exactly.

/// SQL expression (a string literal) for the uuid of the message a reply answers, from the
/// reply's client_id column `col` (a string literal such as "m.client_id"): the id after
/// "bot-reply-" or "bot-ai-" when the rest is a lower-case canonical UUID, else NULL. The
/// pattern is checked before the cast, so a client_id of any other shape never fails a query.
#define BF_REPLY_QUESTION_ID_SQL(col)                                                            \
  "(CASE WHEN " col " ~ '^bot-reply-" BF_REPLY_UUID_RE "$' THEN substr(" col ", 11)::uuid "      \
  "WHEN " col " ~ '^bot-ai-" BF_REPLY_UUID_RE "$' THEN substr(" col ", 8)::uuid END)"

/// A lower-case canonical UUID (POSIX regular expression text, no anchors).
#define BF_REPLY_UUID_RE "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
