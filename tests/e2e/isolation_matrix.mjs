// The tenant-isolation matrix: the documented outcome of every REST route and WebSocket operation
// for every kind of caller, aimed at tenant A's objects. One source for the test
// (isolation.test.mjs) and for the tables in docs/security.md: `node tests/e2e/isolation_matrix.mjs`
// prints the Markdown that docs/security.md must contain verbatim (the test checks it).
//
// Callers (columns):
//   owner          a user token of tenant A (the objects' own tenant)
//   other_tenant   a user token of tenant B
//   visitor_own    a visitor token of A's bot, scoped to conversation cA
//   visitor_other  a visitor token of B's bot, scoped to a conversation of B
//   none           no token at all
//   forged ×6      tokens built by the test (claims of A's user unless said otherwise):
//                  alg_none (header alg "none", empty signature), wrong_key (HS256 with another
//                  key), expired (the fleet's key, exp in the past), wrong_issuer (the fleet's
//                  key, iss changed), truncated (A's real token cut inside its signature),
//                  tampered (B's real token, payload changed to A's user and tenant, B's
//                  signature kept)
// Statuses follow docs/api.md: 401 for a missing/forged/expired token, 403 for a visitor token
// on a tenant endpoint or another conversation, 404 for another tenant's object (never 403).
// "200 †" / "201 †": the call succeeds on the caller's *own* tenant (no object of A in the
// path); the test checks that the body holds nothing of tenant A.

export const FORGED = ["alg_none", "wrong_key", "expired", "wrong_issuer", "truncated", "tampered"];
export const CALLERS = ["owner", "other_tenant", "visitor_own", "visitor_other", "none", ...FORGED];
/** Table columns: every forged kind shares the "forged" column (the test runs each kind). */
export const COLUMNS = [
  ["owner", "owner (A's user)"],
  ["other_tenant", "B's user"],
  ["visitor_own", "visitor of A's bot"],
  ["visitor_other", "visitor of B's bot"],
  ["none", "no token"],
  ["forged", "forged ×6"],
];

/** The column of `caller` (a forged kind maps to "forged"). */
export function columnOf(caller) {
  return FORGED.includes(caller) ? "forged" : caller;
}

const all = (status) => [status, status, status, status, status, status];
const user = (ok, other) => [ok, other, 403, 403, 401, 401];
// `headerAuth`: a public route (no bearer token) that a header of its own authenticates.

/**
 * REST rows. `id` names the row (the test builds its request from it); `target` says what the
 * path parameters point at (bind: parameter → object of the test fixture); `expect` follows
 * COLUMNS; `ownerLast` marks an owner cell that destroys the target (run after everything else).
 */
export const REST_ROWS = [
  { id: "register", method: "POST", path: "/api/v1/users", target: "—", expect: all(201) },
  { id: "login", method: "POST", path: "/api/v1/auth/login", target: "A's credentials", expect: all(200) },
  { id: "refresh", method: "POST", path: "/api/v1/auth/refresh", target: "A's refresh token", expect: all(200) },
  { id: "logout", method: "POST", path: "/api/v1/auth/logout", target: "an unknown refresh token", expect: all(204) },
  { id: "me", method: "GET", path: "/api/v1/users/me", target: "the caller", expect: user(200, "200 †") },
  { id: "plans", method: "GET", path: "/api/v1/plans", target: "—", expect: all(200) },
  { id: "subscription", method: "GET", path: "/api/v1/subscriptions/current", target: "the caller's tenant",
    expect: user(200, "200 †") },
  { id: "change_plan", method: "POST", path: "/api/v1/subscriptions", target: "the caller's tenant",
    expect: user(200, "200 †") },
  { id: "daily_usage", method: "GET", path: "/api/v1/usage/daily", target: "the caller's tenant",
    expect: user(200, "200 †") },
  { id: "create_bot", method: "POST", path: "/api/v1/bots", target: "the caller's tenant", expect: user(201, "201 †") },
  { id: "list_bots", method: "GET", path: "/api/v1/bots", target: "the caller's tenant", expect: user(200, "200 †") },
  { id: "get_bot", method: "GET", path: "/api/v1/bots/{id}", target: "A's bot", bind: { id: "botA" },
    expect: user(200, 404) },
  { id: "update_bot", method: "PATCH", path: "/api/v1/bots/{id}", target: "A's bot", bind: { id: "botA" },
    expect: user(200, 404) },
  { id: "delete_bot", method: "DELETE", path: "/api/v1/bots/{id}", target: "A's bot", bind: { id: "botA" },
    expect: user(204, 404), ownerLast: true },
  { id: "add_document", method: "POST", path: "/api/v1/bots/{id}/knowledge", target: "A's bot",
    bind: { id: "botA" }, expect: user(201, 404) },
  { id: "list_documents", method: "GET", path: "/api/v1/bots/{id}/knowledge", target: "A's bot",
    bind: { id: "botA" }, expect: user(200, 404) },
  { id: "delete_document", method: "DELETE", path: "/api/v1/bots/{id}/knowledge/{doc_id}",
    target: "A's bot, A's document", bind: { id: "botA", doc_id: "docA" }, expect: user(204, 404),
    ownerLast: true },
  { id: "delete_document_mixed", method: "DELETE", path: "/api/v1/bots/{id}/knowledge/{doc_id}",
    target: "B's bot, A's document", bind: { id: "botB", doc_id: "docA" }, expect: user(404, 404) },
  // With a bearer token the widget session route renews that visitor's session (docs/api.md):
  // 200 for a visitor of this bot, 403 for any other valid token, 401 for a forged one.
  { id: "widget_session", method: "POST", path: "/api/v1/widget/{public_id}/sessions",
    target: "A's bot (public id)", bind: { public_id: "publicA" }, expect: [403, 403, 200, 403, 201, 401] },
  // look: the bot's look before a session; public, any token ignored, nothing of the tenant in it.
  { id: "widget_appearance", method: "GET", path: "/api/v1/widget/{public_id}",
    target: "A's bot (public id)", bind: { public_id: "publicA" }, expect: all(200) },
  { id: "list_conversations", method: "GET", path: "/api/v1/bots/{id}/conversations", target: "A's bot",
    bind: { id: "botA" }, expect: user(200, 404) },
  { id: "bot_model_status", method: "GET", path: "/api/v1/bots/{id}/model-status", target: "A's bot",
    bind: { id: "botA" }, expect: user(200, 404) },
  { id: "list_unanswered", method: "GET", path: "/api/v1/bots/{id}/unanswered", target: "A's bot",
    bind: { id: "botA" }, expect: user(200, 404) },
  { id: "dismiss_unanswered", method: "POST", path: "/api/v1/bots/{id}/unanswered/dismiss", target: "A's bot",
    bind: { id: "botA" }, expect: user(200, 404) },
  // Answer feedback: the bot's rated replies are for the tenant's users (operators included).
  { id: "list_bot_feedback", method: "GET", path: "/api/v1/bots/{id}/feedback", target: "A's bot",
    bind: { id: "botA" }, expect: user(200, 404) },
  // The tenant-wide inbox lists the caller's own tenant only (B gets B's, empty).
  { id: "list_inbox", method: "GET", path: "/api/v1/conversations", target: "the caller's tenant",
    expect: user(200, "200 †") },
  { id: "list_messages", method: "GET", path: "/api/v1/conversations/{id}/messages",
    target: "cA (the visitor's own)", bind: { id: "convA" }, expect: [200, 404, 200, 403, 401, 401] },
  { id: "list_messages_sibling", method: "GET", path: "/api/v1/conversations/{id}/messages",
    target: "cA2 (another visitor of A's bot)", bind: { id: "convA2" }, expect: [200, 404, 403, 403, 401, 401] },
  // Answer feedback: only the conversation's own visitor rates (a user token may read, never
  // rate: 403 before the conversation is looked up); message 1 of cA is not a bot answer (409).
  { id: "set_feedback", method: "PUT", path: "/api/v1/conversations/{id}/messages/{seq}/feedback",
    target: "cA, its message 1 (not a bot answer)", bind: { id: "convA", seq: "seq1" },
    expect: [403, 403, 409, 403, 401, 401] },
  { id: "list_conversation_feedback", method: "GET", path: "/api/v1/conversations/{id}/feedback",
    target: "cA (the visitor's own)", bind: { id: "convA" }, expect: [200, 404, 200, 403, 401, 401] },
  { id: "list_conversation_feedback_sibling", method: "GET", path: "/api/v1/conversations/{id}/feedback",
    target: "cA2 (another visitor of A's bot)", bind: { id: "convA2" }, expect: [200, 404, 403, 403, 401, 401] },
  // Edits: earlier versions of a message are for admins of the conversation (users of the tenant).
  { id: "list_message_versions", method: "GET", path: "/api/v1/conversations/{id}/messages/{seq}/versions",
    target: "cA, its message 1", bind: { id: "convA", seq: "seq1" }, expect: user(200, 404) },
  // Files: members of the conversation upload (its visitor, the tenant's users) and read them;
  // anyone else reads nothing (404, never 403, on a download).
  { id: "upload_attachment", method: "POST", path: "/api/v1/conversations/{id}/attachments",
    target: "cA (the visitor's own)", bind: { id: "convA" }, expect: [201, 404, 201, 403, 401, 401] },
  { id: "get_attachment", method: "GET", path: "/api/v1/attachments/{id}", target: "a file in cA",
    bind: { id: "attachmentA" }, expect: [200, 404, 200, 404, 401, 401] },
  { id: "get_attachment_thumbnail", method: "GET", path: "/api/v1/attachments/{id}/thumbnail",
    target: "a file in cA", bind: { id: "attachmentA" }, expect: [200, 404, 200, 404, 401, 401] },
  // The inbox (takeover, handback, read position) acts on a conversation of the caller's tenant.
  // The owner's takeover runs last (ownerLast): under it the bot would not answer the WebSocket
  // rows' messages.
  { id: "takeover", method: "POST", path: "/api/v1/conversations/{id}/takeover", target: "cA",
    bind: { id: "convA" }, expect: user(200, 404), ownerLast: true },
  { id: "handback", method: "POST", path: "/api/v1/conversations/{id}/handback", target: "cA",
    bind: { id: "convA" }, expect: user(200, 404) },
  { id: "mark_read", method: "POST", path: "/api/v1/conversations/{id}/read", target: "cA",
    bind: { id: "convA" }, expect: user(200, 404) },
  { id: "analytics", method: "GET", path: "/api/v1/analytics", target: "the caller's tenant",
    expect: user(200, "200 †") },
  // Provider keys belong to the caller's tenant: B's PUT stores B's own key, B's DELETE finds
  // none (A's key is untouched), and no read ever shows a key beyond its last four characters.
  { id: "list_provider_keys", method: "GET", path: "/api/v1/provider-keys", target: "the caller's tenant",
    expect: user(200, "200 †") },
  { id: "set_provider_key", method: "PUT", path: "/api/v1/provider-keys/{provider}",
    target: "the caller's tenant (gemini)", bind: { provider: "gemini" }, expect: user(200, "200 †") },
  { id: "delete_provider_key", method: "DELETE", path: "/api/v1/provider-keys/{provider}",
    target: "A's openai key (B has none)", bind: { provider: "openai" }, expect: user(204, 404), ownerLast: true },
  // Channels (docs/channels.md): the bot is checked before the body (B gets 404 even for a bad
  // token); the fleet has no Telegram, so the owner's connect is refused on the token's shape
  // and the delete names no channel of A. The public webhook route needs the channel's secret
  // header: without it every caller gets 403, bearer token or not.
  { id: "connect_channel", method: "POST", path: "/api/v1/bots/{id}/channels",
    target: "A's bot (a malformed token)", bind: { id: "botA" }, expect: user(400, 404) },
  { id: "list_channels", method: "GET", path: "/api/v1/bots/{id}/channels", target: "A's bot",
    bind: { id: "botA" }, expect: user(200, 404) },
  { id: "delete_channel", method: "DELETE", path: "/api/v1/bots/{id}/channels/{channel_id}",
    target: "A's bot, an unknown channel", bind: { id: "botA", channel_id: "convA" }, expect: user(404, 404) },
  // Failed deliveries of a channel: the channel must be the caller's bot's (404 otherwise).
  { id: "list_failed_deliveries", method: "GET", path: "/api/v1/bots/{id}/channels/{channel_id}/deliveries",
    target: "A's bot, an unknown channel", bind: { id: "botA", channel_id: "convA" }, expect: user(404, 404) },
  { id: "replay_deliveries", method: "POST", path: "/api/v1/bots/{id}/channels/{channel_id}/deliveries/replay",
    target: "A's bot, an unknown channel", bind: { id: "botA", channel_id: "convA" }, expect: user(404, 404) },
  { id: "telegram_webhook", method: "POST", path: "/webhooks/telegram/{channel_id}",
    target: "no secret header", bind: { channel_id: "convA" }, expect: all(403), headerAuth: true },
  // WhatsApp (docs/channels.md): verification needs the channel's verify token (403 without);
  // a call without X-Hub-Signature-256 is 401 for every caller, bearer token or not.
  { id: "whatsapp_webhook_verify", method: "GET", path: "/webhooks/whatsapp/{channel_id}",
    target: "no verify token", bind: { channel_id: "convA" }, expect: all(403), headerAuth: true },
  { id: "whatsapp_webhook", method: "POST", path: "/webhooks/whatsapp/{channel_id}",
    target: "no signature header", bind: { channel_id: "convA" }, expect: all(401), headerAuth: true },
  { id: "instagram_webhook_verify", method: "GET", path: "/webhooks/instagram/{channel_id}",
    target: "no verify token", bind: { channel_id: "convA" }, expect: all(403), headerAuth: true },
  { id: "instagram_webhook", method: "POST", path: "/webhooks/instagram/{channel_id}",
    target: "no signature header", bind: { channel_id: "convA" }, expect: all(401), headerAuth: true },
  // Rooms (docs/api.md "Rooms"): rA is A's public room with A's visitor (visitor_own) already a
  // member; rA2 likewise plus a second member (so the owner's leave is always refused). Another
  // tenant's room is 404 to B's user and B's visitor; a member's role decides the rest.
  { id: "create_room", method: "POST", path: "/api/v1/rooms", target: "the caller's tenant",
    expect: [201, "201 †", 403, 403, 401, 401] },
  { id: "list_rooms", method: "GET", path: "/api/v1/rooms", target: "the caller's tenant",
    expect: [200, "200 †", 200, "200 †", 401, 401] },
  { id: "get_room", method: "GET", path: "/api/v1/rooms/{id}", target: "rA", bind: { id: "roomA" },
    expect: [200, 404, 200, 404, 401, 401] },
  { id: "join_room", method: "POST", path: "/api/v1/rooms/{id}/join", target: "rA", bind: { id: "roomA" },
    expect: [200, 404, 200, 404, 401, 401] },
  { id: "leave_room", method: "POST", path: "/api/v1/rooms/{id}/leave", target: "rA2", bind: { id: "roomA2" },
    expect: [409, 404, 200, 404, 401, 401] },
  { id: "list_room_members", method: "GET", path: "/api/v1/rooms/{id}/members", target: "rA",
    bind: { id: "roomA" }, expect: [200, 404, 200, 404, 401, 401] },
  { id: "remove_room_member", method: "DELETE", path: "/api/v1/rooms/{id}/members/{kind}/{member_id}",
    target: "rA, its owner", bind: { id: "roomA", kind: "user", member_id: "userA" },
    expect: [400, 404, 403, 404, 401, 401] },
  { id: "set_room_member_role", method: "PATCH", path: "/api/v1/rooms/{id}/members/{kind}/{member_id}",
    target: "rA, its owner", bind: { id: "roomA", kind: "user", member_id: "userA" },
    expect: [409, 404, 403, 404, 401, 401] },
  { id: "transfer_room_ownership", method: "POST", path: "/api/v1/rooms/{id}/owner", target: "rA, to its owner",
    bind: { id: "roomA" }, expect: [400, 404, 403, 404, 401, 401] },
  { id: "create_room_invite", method: "POST", path: "/api/v1/rooms/{id}/invites", target: "rA",
    bind: { id: "roomA" }, expect: [201, 404, 403, 404, 401, 401] },
  { id: "revoke_room_invite", method: "DELETE", path: "/api/v1/rooms/{id}/invites/{invite_id}",
    target: "rA, an unknown invite", bind: { id: "roomA", invite_id: "inviteX" }, expect: [404, 404, 403, 404, 401, 401] },
  { id: "list_room_messages", method: "GET", path: "/api/v1/rooms/{id}/messages", target: "rA",
    bind: { id: "roomA" }, expect: [200, 404, 200, 404, 401, 401] },
  { id: "post_room_message", method: "POST", path: "/api/v1/rooms/{id}/messages", target: "rA",
    bind: { id: "roomA" }, expect: [201, 404, 201, 404, 401, 401] },
  { id: "set_room_bot", method: "PUT", path: "/api/v1/rooms/{id}/bot", target: "rA, A's bot",
    bind: { id: "roomA" }, expect: [200, 404, 403, 404, 401, 401] },
  // End-to-end encrypted rooms (docs/e2ee.md): users only (a visitor token is 403); rE is A's
  // e2ee private room, dA a device A's user registered. A device id is per user: B's user
  // registers its own device under the same id in its own tenant.
  { id: "put_e2ee_device", method: "PUT", path: "/api/v1/e2ee/devices/{id}", target: "the caller's device dA",
    bind: { id: "deviceA" }, expect: [200, "200 †", 403, 403, 401, 401] },
  { id: "list_e2ee_devices", method: "GET", path: "/api/v1/e2ee/devices", target: "the caller's devices",
    expect: [200, "200 †", 403, 403, 401, 401] },
  { id: "get_room_e2ee", method: "GET", path: "/api/v1/rooms/{id}/e2ee", target: "rE",
    bind: { id: "roomE" }, expect: [200, 404, 403, 403, 401, 401] },
  { id: "post_room_e2ee_keys", method: "POST", path: "/api/v1/rooms/{id}/e2ee/keys", target: "rE, a wrap for dA",
    bind: { id: "roomE" }, expect: [200, 404, 403, 403, 401, 401] },
  // Team accounts (docs/api.md "Team accounts"): users only; another tenant's member or invite
  // is 404. tiA is a live invite A's owner created; the owner can be neither removed nor
  // re-roled (403). Operator-level 403s are in team.test.mjs.
  { id: "create_team_invite", method: "POST", path: "/api/v1/team/invites", target: "the caller's tenant",
    expect: [201, "201 †", 403, 403, 401, 401] },
  { id: "list_team_members", method: "GET", path: "/api/v1/team/members", target: "the caller's tenant",
    expect: [200, "200 †", 403, 403, 401, 401] },
  { id: "remove_team_member", method: "DELETE", path: "/api/v1/team/members/{id}", target: "A's owner",
    bind: { id: "userA" }, expect: [403, 404, 403, 403, 401, 401] },
  { id: "set_team_member_role", method: "PATCH", path: "/api/v1/team/members/{id}", target: "A's owner",
    bind: { id: "userA" }, expect: [403, 404, 403, 403, 401, 401] },
  { id: "revoke_team_invite", method: "DELETE", path: "/api/v1/team/invites/{id}", target: "tiA",
    bind: { id: "teamInviteA" }, expect: [204, 404, 403, 403, 401, 401], ownerLast: true },
  // Saved replies (docs/api.md "Canned responses"): users of the tenant only; cnA is A's saved
  // reply. Another tenant's id is 404; operator-level 403s on writes are in canned.test.mjs.
  { id: "list_canned", method: "GET", path: "/api/v1/canned-responses", target: "the caller's tenant",
    expect: [200, "200 †", 403, 403, 401, 401] },
  { id: "create_canned", method: "POST", path: "/api/v1/canned-responses", target: "the caller's tenant",
    expect: [201, "201 †", 403, 403, 401, 401] },
  { id: "update_canned", method: "PATCH", path: "/api/v1/canned-responses/{id}", target: "cnA",
    bind: { id: "cannedA" }, expect: [200, 404, 403, 403, 401, 401] },
  { id: "delete_canned", method: "DELETE", path: "/api/v1/canned-responses/{id}", target: "cnA",
    bind: { id: "cannedA" }, expect: [204, 404, 403, 403, 401, 401], ownerLast: true },
  // Outgoing webhooks (docs/api.md "Outgoing webhooks"): admins and owners of the tenant only;
  // whA is A's endpoint (its URL and secret no one outside A may see). Operator 403s are in
  // gateway_webhooks_pgtest.
  { id: "list_webhook_endpoints", method: "GET", path: "/api/v1/webhook-endpoints", target: "the caller's tenant",
    expect: [200, "200 †", 403, 403, 401, 401] },
  { id: "create_webhook_endpoint", method: "POST", path: "/api/v1/webhook-endpoints", target: "the caller's tenant",
    expect: [201, "201 †", 403, 403, 401, 401] },
  { id: "update_webhook_endpoint", method: "PATCH", path: "/api/v1/webhook-endpoints/{id}", target: "whA",
    bind: { id: "webhookA" }, expect: [200, 404, 403, 403, 401, 401] },
  { id: "list_webhook_deliveries", method: "GET", path: "/api/v1/webhook-endpoints/{id}/deliveries", target: "whA",
    bind: { id: "webhookA" }, expect: [200, 404, 403, 403, 401, 401] },
  { id: "test_webhook_endpoint", method: "POST", path: "/api/v1/webhook-endpoints/{id}/test", target: "whA",
    bind: { id: "webhookA" }, expect: [202, 404, 403, 403, 401, 401] },
  { id: "rotate_webhook_secret", method: "POST", path: "/api/v1/webhook-endpoints/{id}/rotate-secret", target: "whA",
    bind: { id: "webhookA" }, expect: [200, 404, 403, 403, 401, 401] },
  { id: "delete_webhook_endpoint", method: "DELETE", path: "/api/v1/webhook-endpoints/{id}", target: "whA",
    bind: { id: "webhookA" }, expect: [204, 404, 403, 403, 401, 401], ownerLast: true },
  { id: "healthz", method: "GET", path: "/healthz", target: "—", expect: all(200) },
  { id: "readyz", method: "GET", path: "/readyz", target: "—", expect: all(200) },
  { id: "metrics", method: "GET", path: "/metrics", target: "—", expect: all(200) },
];

const ws = (owner, other, visitorOwn, visitorOther) => [owner, other, visitorOwn, visitorOther, 401, 401];

/**
 * WebSocket rows (docs/protocol.md). Outcomes: an HTTP status of the upgrade, or the answer
 * frame: `joined` (conversation.joined), `replay` (every message.new up to last_seq, then
 * conversation.joined), `ack` (message.ack), `left`, `pong`, or an `error` frame's code. A
 * refused caller first tries to join, then sends/leaves. 401: the upgrade itself was refused.
 */
export const WS_ROWS = [
  { id: "upgrade", op: "GET /ws?token= (or Authorization)", target: "—", expect: ws(101, 101, 101, 101) },
  { id: "join", op: "conversation.join", target: "cA", expect: ws("joined", "not_found", "joined", "forbidden") },
  { id: "replay", op: "conversation.join since_seq 0", target: "cA",
    expect: ws("replay", "not_found", "replay", "forbidden") },
  { id: "send", op: "message.send", target: "cA", expect: ws("ack", "not_joined", "ack", "not_joined") },
  { id: "leave", op: "conversation.leave", target: "cA", expect: ws("left", "not_joined", "left", "not_joined") },
  { id: "ping", op: "ping", target: "—", expect: ws("pong", "pong", "pong", "pong") },
  // The inbox: a visitor asks for a person (`state`: the conversation.state answer; operators
  // take over over REST); typing has no answer when relayed (`silent`: the next frame is the
  // pong of a ping sent after it).
  { id: "handoff", op: "handoff.request", target: "cA",
    expect: ws("forbidden", "not_joined", "state", "not_joined") },
  { id: "typing", op: "typing", target: "cA", expect: ws("silent", "not_joined", "silent", "not_joined") },
  // The live inbox: users subscribe to their own tenant's events (B's user gets B's); visitors
  // are refused. Unsubscribing is always answered.
  { id: "inbox_subscribe", op: "inbox.subscribe", target: "the caller's tenant",
    expect: ws("subscribed", "subscribed", "forbidden", "forbidden") },
  { id: "inbox_unsubscribe", op: "inbox.unsubscribe", target: "the caller's tenant",
    expect: ws("unsubscribed", "unsubscribed", "unsubscribed", "unsubscribed") },
  { id: "join_sibling", op: "conversation.join", target: "cA2",
    expect: ws("joined", "not_found", "forbidden", "forbidden") },
  // In-band token renewal (docs/protocol.md): A's user's socket offered the caller's token.
  { id: "renew", op: "auth (token renewal)", target: "A's user's socket",
    expect: ["auth.ok", "forbidden", "forbidden", "forbidden", "invalid_message", "invalid_token"] },
];

/** The expected outcome of `row` for `caller`, as written in the table (number or string). */
export function expected(row, caller) {
  return row.expect[COLUMNS.findIndex(([key]) => key === columnOf(caller))];
}

/** The HTTP status part of an expected REST cell ("200 †" → 200). */
export function statusOf(cell) {
  return typeof cell === "number" ? cell : Number.parseInt(cell, 10);
}

function renderTable(head, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The REST table in Markdown (as docs/security.md holds it). */
export function restTable() {
  return renderTable(
    ["route", "target", ...COLUMNS.map(([, title]) => title)],
    REST_ROWS.map((r) => [`\`${r.method} ${r.path}\``, r.target, ...r.expect.map(String)]),
  );
}

/** The WebSocket table in Markdown (as docs/security.md holds it). */
export function wsTable() {
  return renderTable(
    ["operation", "target", ...COLUMNS.map(([, title]) => title)],
    WS_ROWS.map((r) => [`\`${r.op}\``, r.target, ...r.expect.map(String)]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(restTable() + "\n\n" + wsTable());
}
