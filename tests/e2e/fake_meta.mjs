// A fake Meta Graph API for the end-to-end tests, speaking the documented formats:
// - WhatsApp Cloud API send (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages):
//   `POST /<version>/<phone-number-id>/messages` with `Authorization: Bearer <access token>` and
//   `{"messaging_product":"whatsapp","to","type":"text","text":{"body"}}` (body ≤ 4096 characters)
//   → `{"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],"messages":[{"id":"wamid…"}]}`;
// - Instagram messaging send (https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api):
//   `POST /<version>/<ig account id>/messages` with `{"recipient":{"id"},"message":{"text"}}`
//   (text ≤ 1000 characters) → `{"recipient_id","message_id"}`;
// - the connect-time credential check channel-connector makes
//   (https://developers.facebook.com/docs/graph-api/overview#reading): `GET /<version>/<id>?fields=id`
//   with the Bearer token → `{"id"}` for a known account and its token, 400 / code 190 for another
//   token, 400 / code 100 for an unknown id (kept apart from `calls`, in `checks`);
// - errors as Graph sends them: `{"error":{"message","type","code","fbtrace_id"}}` (401 / code 190
//   for a wrong token, 400 / code 100 for a bad request);
// and builds the webhook calls Meta makes (payloads of `entry[].changes[].value.messages|statuses`
// and `entry[].messaging[]`, signed with `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body
// keyed with the app secret>`, https://developers.facebook.com/docs/graph-api/webhooks/getting-started).
import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";

/**
 * Starts the fake on a free loopback port. Resolves to {url (for META_GRAPH_BASE_URL), calls
 * ({path, version, accountId, authorization, body, status, at}), addAccount(id, accessToken,
 * kind "whatsapp"|"instagram"), sent(accountId) (accepted sends), close()}.
 */
export async function startFakeMeta() {
  const accounts = new Map(); // id → {token, kind}
  const fake = { calls: [], checks: [] };
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const check = req.method === "GET" ? /^\/(v\d+\.\d+)\/(\d+)(\?|$)/.exec(req.url) : null;
    if (check) {
      const account = accounts.get(check[2]);
      const [status, body] = !account
        ? [400, { error: { message: `Unsupported get request. Object with ID '${check[2]}' does not exist`, type: "GraphMethodException", code: 100 } }]
        : req.headers.authorization !== `Bearer ${account.token}`
          ? [400, { error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190 } }]
          : [200, { id: check[2] }];
      fake.checks.push({ path: req.url, accountId: check[2], status, at: Date.now() });
      res.writeHead(status, { "Content-Type": "application/json" });
      return res.end(JSON.stringify(body));
    }
    const match = /^\/(v\d+\.\d+)\/(\d+)\/messages$/.exec(req.url);
    const call = { path: req.url, version: match?.[1], accountId: match?.[2], authorization: req.headers.authorization,
                   body: null, status: 0, at: Date.now(), response: null };
    fake.calls.push(call);
    const answer = (status, body) => {
      call.status = status;
      call.response = body;
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const graphError = (status, code, message, type = "OAuthException") =>
      answer(status, { error: { message, type, code, fbtrace_id: "A" + randomBytes(8).toString("hex") } });
    if (req.method !== "POST" || !match) return graphError(400, 100, "Unsupported request", "GraphMethodException");
    const account = accounts.get(call.accountId);
    if (!account || req.headers.authorization !== `Bearer ${account.token}`) {
      return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    }
    try {
      call.body = JSON.parse(raw);
    } catch {
      return graphError(400, 100, "Invalid parameter", "OAuthException");
    }
    const b = call.body;
    if (account.kind === "whatsapp") {
      if (b.messaging_product !== "whatsapp") return graphError(400, 100, "(#100) The parameter messaging_product is required.");
      if (!b.to || b.type !== "text" || typeof b.text?.body !== "string" || !b.text.body) {
        return graphError(400, 100, "(#100) Invalid parameter");
      }
      if ([...b.text.body].length > 4096) return graphError(400, 100, "(#100) Param text['body'] must be at most 4096 characters long.");
      const id = "wamid.HBgM" + randomBytes(18).toString("base64url");
      return answer(200, { messaging_product: "whatsapp", contacts: [{ input: b.to, wa_id: b.to }], messages: [{ id }] });
    }
    if (!b.recipient?.id || typeof b.message?.text !== "string" || !b.message.text) {
      return graphError(400, 100, "(#100) Invalid parameter");
    }
    if ([...b.message.text].length > 1000) return graphError(400, 100, "(#100) Length of param message[text] must be less than or equal to 1000");
    return answer(200, { recipient_id: b.recipient.id, message_id: "aWdfZAG1" + randomBytes(18).toString("base64url") });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  fake.addAccount = (id, token, kind = "whatsapp") => accounts.set(String(id), { token, kind });
  fake.sent = (accountId) => fake.calls.filter((c) => c.accountId === String(accountId) && c.status === 200);
  fake.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return fake;
}

/** The headers of a Meta webhook call of `body` (a string) signed with `appSecret`. */
export function metaSignature(appSecret, body) {
  return "sha256=" + createHmac("sha256", appSecret).update(body).digest("hex");
}

/** A WhatsApp `messages` webhook payload (object) carrying one text message. */
export function whatsappTextPayload({ phoneNumberId, waId, name, wamid, text, timestamp = Math.floor(Date.now() / 1000) }) {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: "102290129340398", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
      contacts: [{ profile: { name }, wa_id: waId }],
      messages: [{ from: waId, id: wamid, timestamp: String(timestamp), type: "text", text: { body: text } }],
    } }] }],
  };
}

/** A WhatsApp `statuses` webhook payload (object): `status` of the sent message `wamid`. */
export function whatsappStatusPayload({ phoneNumberId, waId, wamid, status, error }) {
  const entry = { id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: waId,
                  ...(status === "failed" && error ? { errors: [error] } : {}),
                  ...(status !== "failed" ? { conversation: { id: randomBytes(16).toString("hex"), origin: { type: "service" } },
                                               pricing: { billable: true, pricing_model: "CBP", category: "service" } } : {}) };
  return {
    object: "whatsapp_business_account",
    entry: [{ id: "102290129340398", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
      statuses: [entry],
    } }] }],
  };
}

/** An Instagram `messaging` webhook payload (object): one message from `senderId` to `accountId`. */
export function instagramTextPayload({ accountId, senderId, mid, text, echo = false }) {
  const now = Date.now();
  return {
    object: "instagram",
    entry: [{ id: accountId, time: now, messaging: [{
      sender: { id: echo ? accountId : senderId }, recipient: { id: echo ? senderId : accountId }, timestamp: now,
      message: { mid, text, ...(echo ? { is_echo: true } : {}) },
    }] }],
  };
}
