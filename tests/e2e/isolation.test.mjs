// Tenant-isolation matrix: every REST route of docs/openapi.yaml and every WebSocket operation of
// docs/protocol.md, called by every kind of caller (tenant A's user, tenant B's user, visitors of
// A's and B's bots, no token, six kinds of forged token) against tenant A's objects, on one real
// fleet. Each cell must give the status/outcome of isolation_matrix.mjs (= docs/security.md),
// no answer to a caller outside tenant A may hold anything of tenant A, and nothing a refused
// caller tried may have changed A's data.
import assert from "node:assert/strict";
import { createECDH, createHmac, randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import YAML from "yaml";
import { ChatClient, http, jwtSecret, repoRoot, signJwt, startFleet } from "./harness.mjs";
import {
  CALLERS, COLUMNS, FORGED, REST_ROWS, WS_ROWS, columnOf, expected, restTable, statusOf, wsTable,
} from "./isolation_matrix.mjs";

const read = (file) => readFileSync(path.join(repoRoot, file), "utf8");
const METHODS = ["get", "post", "put", "patch", "delete"];

/** [{method, path, public, statuses}] of docs/openapi.yaml (public = `security: []`). */
function specOperations() {
  const spec = YAML.parse(read("docs/openapi.yaml"));
  const ops = [];
  for (const [route, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? spec.security ?? [];
      ops.push({ method: method.toUpperCase(), path: route, public: security.length === 0,
                 statuses: new Set(Object.keys(op.responses).map(Number)) });
    }
  }
  return ops;
}

const key = (method, route) => `${method} ${route}`;

// --- the table against the specification (no fleet needed) ---------------------------------------

describe("the matrix covers the documented API", () => {
  test("every route of docs/openapi.yaml has a row, and every row is in the spec", () => {
    const ops = specOperations();
    const specRest = new Set(ops.filter((o) => o.path !== "/ws").map((o) => key(o.method, o.path)));
    const rows = new Set(REST_ROWS.map((r) => key(r.method, r.path)));
    const missing = [...specRest].filter((k) => !rows.has(k));
    assert.deepEqual(missing, [], `routes of docs/openapi.yaml without a row in isolation_matrix.mjs`);
    assert.deepEqual([...rows].filter((k) => !specRest.has(k)), [], "rows for routes not in docs/openapi.yaml");
    assert.ok(ops.some((o) => o.path === "/ws"), "the spec documents /ws");
  });

  test("the gateway's router serves exactly the spec's /api/v1 routes", () => {
    const router = read("services/gateway/src/http/router.cpp");
    const served = new Set([...router.matchAll(/Route\{"([A-Z]+)",\s*"([^"]+)"/g)].map((m) => key(m[1], m[2])));
    assert.ok(served.size > 0, "no routes found in router.cpp");
    const spec = new Set(specOperations().filter((o) => o.path.startsWith("/api/")).map((o) => key(o.method, o.path)));
    assert.deepEqual([...served].filter((k) => !spec.has(k)), [], "routes served but not in docs/openapi.yaml");
    assert.deepEqual([...spec].filter((k) => !served.has(k)), [], "routes in docs/openapi.yaml the router lacks");
  });

  test("every client frame type of docs/protocol.md has a row", () => {
    const protocol = read("docs/protocol.md");
    const section = protocol.split("### Client → server")[1].split("\n### ")[0];
    const types = [...section.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]);
    assert.ok(types.length >= 4, `client frame types: ${types}`);
    const ops = WS_ROWS.map((r) => r.op);
    for (const type of types) assert.ok(ops.some((op) => op.startsWith(type)), `no WebSocket row for ${type}`);
  });

  test("every expected status is one the spec documents for that route", () => {
    const ops = new Map(specOperations().map((o) => [key(o.method, o.path), o]));
    for (const row of REST_ROWS) {
      const op = ops.get(key(row.method, row.path));
      for (const [column] of COLUMNS) {
        const status = statusOf(expected(row, column === "forged" ? FORGED[0] : column));
        assert.ok(op.statuses.has(status), `${row.id}: ${status} is not documented for ${row.method} ${row.path}`);
      }
      const anonymous = statusOf(expected(row, "none"));
      // A row with `headerAuth` is public (no bearer token) but authenticated by a header of its
      // own (the Telegram webhook's secret), so an anonymous call is refused all the same.
      assert.equal(op.public, anonymous < 400 || row.headerAuth === true,
                   `${row.id}: public in the spec ⇔ served without a token`);
    }
  });

  test("docs/security.md holds these tables verbatim", () => {
    const doc = read("docs/security.md");
    const hint = "regenerate with `node tests/e2e/isolation_matrix.mjs`";
    assert.ok(doc.includes(restTable()), `docs/security.md lacks the REST table; ${hint}:\n${restTable()}`);
    assert.ok(doc.includes(wsTable()), `docs/security.md lacks the WebSocket table; ${hint}:\n${wsTable()}`);
  });
});

// --- forged tokens (RFC 7519 JWS compact form, HS256 as libs/jwt signs it) ----------------------

const b64 = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const payloadOf = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
const hs256 = (key, head, body) => {
  const signingInput = `${b64(head)}.${b64(body)}`;
  return `${signingInput}.${createHmac("sha256", key).update(signingInput).digest("base64url")}`;
};

/** The six forged tokens; each differs from a valid token in one respect. */
function forgeTokens(ownerToken, otherToken) {
  const owner = payloadOf(ownerToken);
  const now = Math.floor(Date.now() / 1000);
  const head = { alg: "HS256", typ: "JWT" };
  const [otherHead, , otherSignature] = otherToken.split(".");
  return {
    alg_none: `${b64({ alg: "none", typ: "JWT" })}.${b64(owner)}.`,
    wrong_key: hs256(randomBytes(32), head, owner),
    expired: hs256(jwtSecret, head, { ...owner, iat: now - 7200, exp: now - 60 }),
    wrong_issuer: hs256(jwtSecret, head, { ...owner, iss: `${owner.iss}-evil` }),
    truncated: ownerToken.slice(0, ownerToken.length - 10),
    tampered: `${otherHead}.${b64({ ...payloadOf(otherToken), sub: owner.sub, tid: owner.tid })}.${otherSignature}`,
  };
}

/** The measured outcomes as text, one line per row, callers in CALLERS order. */
function measuredTable(results) {
  const lines = [`row | ${CALLERS.join(" | ")}`];
  for (const [rows, got] of [[REST_ROWS, results.rest], [WS_ROWS, results.ws]]) {
    for (const row of rows) lines.push(`${row.id} | ${CALLERS.map((c) => got[row.id]?.[c]).join(" | ")}`);
  }
  return lines.join("\n");
}

// --- the live matrix --------------------------------------------------------------------------------

/** Runs `tasks` (functions returning promises) with at most `width` at a time. */
async function pool(tasks, width) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}

/**
 * Opens /ws with the token in the query (or the Authorization header); resolves the HTTP status
 * of the answer (101 when upgraded, 0 when the connection failed).
 */
function upgradeStatus(base, token, { header = false } = {}) {
  const url = base.replace("http", "ws") + "/ws" + (token && !header ? `?token=${encodeURIComponent(token)}` : "");
  const options = token && header ? { headers: { Authorization: `Bearer ${token}` } } : {};
  return new Promise((resolve) => {
    const socket = new WebSocket(url, options);
    socket.once("open", () => { socket.close(); resolve(101); });
    socket.once("unexpected-response", (_req, res) => { res.resume(); socket.terminate(); resolve(res.statusCode); });
    socket.once("error", () => resolve(0));
  });
}

// A 1×1 PNG as a multipart form (a fresh one per request: a body is read once).
const onePixelPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
function pngForm(caller) {
  const form = new FormData();
  form.append("file", new Blob([onePixelPng], { type: "image/png" }), `pixel-${caller}.png`);
  form.append("client_id", `file-${caller}-${randomBytes(4).toString("hex")}`);
  return form;
}

describe("tenant-isolation matrix on a live fleet", () => {
  let fleet;
  let GW; // replica 1 serves REST; replica 2 serves the sockets (both verify tokens alike)
  let GW2;
  const fx = {}; // fixture: tenant A and B objects
  const tokens = {}; // caller → token ("none" → undefined)
  const results = { rest: {}, ws: {} }; // row id → caller → outcome
  const sockets = [];
  const nonce = randomBytes(4).toString("hex");

  before(async () => {
    // The matrix is about who may do what; per-address throttles are tested elsewhere.
    process.env.RATE_LIMIT_AUTH_PER_MIN = "0";
    process.env.RATE_LIMIT_SESSIONS_PER_MIN = "0";
    fleet = await startFleet();
    [GW, GW2] = fleet.gateways;
    const ok = (res, status, what) => {
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    for (const t of ["A", "B"]) {
      const account = { email: `${t.toLowerCase()}-${nonce}@tenant.example`, username: `tenant_${t}_${nonce}`,
                        password: `password of ${t} ${nonce}` };
      const created = ok(await http(GW, "POST", "/api/v1/users", { body: account }), 201, `register ${t}`);
      const login = ok(await http(GW, "POST", "/api/v1/auth/login", { body: account }), 200, `login ${t}`);
      const token = login.access_token;
      ok(await http(GW, "POST", "/api/v1/subscriptions", { token, body: { plan: "pro" } }), 200, `plan ${t}`);
      const bot = ok(await http(GW, "POST", "/api/v1/bots", {
        token, body: { name: `Bot ${t}`, greeting: `Hello from bot ${t}` } }), 201, `bot ${t}`);
      const doc = ok(await http(GW, "POST", `/api/v1/bots/${bot.id}/knowledge`, {
        token, body: { title: `Doc ${t}`, body: `knowledge-secret-${t}-${nonce}: delivery takes two days.` } }),
      201, `document ${t}`);
      const session = ok(await http(GW, "POST", `/api/v1/widget/${bot.public_id}/sessions`, { body: {} }), 201,
        `session ${t}`);
      fx[t] = { account, user: created, token, refresh: login.refresh_token, bot, doc, session };
    }
    fx.A.sibling = ok(await http(GW, "POST", `/api/v1/widget/${fx.A.bot.public_id}/sessions`, { body: {} }), 201,
      "second session of A");
    fx.ids = { botA: fx.A.bot.id, botB: fx.B.bot.id, docA: fx.A.doc.id, publicA: fx.A.bot.public_id,
               convA: fx.A.session.conversation_id, convA2: fx.A.sibling.conversation_id,
               openai: "openai", gemini: "gemini" };
    // Rooms of A (isolation_matrix.mjs "Rooms"): A's visitor is a member of both; rA2 has a
    // second visitor of A so that its owner can never leave it.
    for (const key of ["roomA", "roomA2"]) {
      const room = ok(await http(GW, "POST", "/api/v1/rooms", { token: fx.A.token, body: { name: `${key} ${nonce}` } }),
        201, key);
      fx.ids[key] = room.id;
      ok(await http(GW, "POST", `/api/v1/rooms/${room.id}/join`, { token: fx.A.session.token }), 200, `${key} join`);
    }
    ok(await http(GW, "POST", `/api/v1/rooms/${fx.ids.roomA2}/join`, { token: fx.A.sibling.token }), 200, "rA2 join");
    Object.assign(fx.ids, { user: "user", userA: fx.A.user.id, inviteX: randomUUID(), seq1: "1" });
    // e2ee (docs/e2ee.md): A's device dA and A's e2ee private room rE.
    fx.e2ee = { publicKey: createECDH("prime256v1").generateKeys("base64url"), keyId: randomBytes(16).toString("base64url") };
    fx.ids.deviceA = randomBytes(16).toString("base64url");
    ok(await http(GW, "PUT", `/api/v1/e2ee/devices/${fx.ids.deviceA}`, { token: fx.A.token, body: { public_key: fx.e2ee.publicKey } }), 200, "device of A");
    fx.ids.roomE = ok(await http(GW, "POST", "/api/v1/rooms", { token: fx.A.token, body: { name: `rE ${nonce}`, visibility: "private", e2ee: true } }), 201, "rE").id;
    // Team accounts: a live invite of A (its token must never reach anyone outside A).
    const teamInvite = ok(await http(GW, "POST", "/api/v1/team/invites", { token: fx.A.token, body: { role: "operator" } }), 201, "team invite of A");
    fx.ids.teamInviteA = teamInvite.invite_id;
    // Saved replies: cnA, whose text no one outside A may see.
    fx.cannedSecretA = `canned-secret-A-${nonce}`;
    fx.ids.cannedA = ok(await http(GW, "POST", "/api/v1/canned-responses", { token: fx.A.token,
      body: { short_code: "secret-a", content: fx.cannedSecretA } }), 201, "saved reply of A").id;
    // Outgoing webhooks: whA, whose URL and signing secret no one outside A may see.
    fx.webhookUrlA = `https://hooks-of-a-${nonce}.example.invalid/bf`;
    const webhookA = ok(await http(GW, "POST", "/api/v1/webhook-endpoints", { token: fx.A.token,
      body: { url: fx.webhookUrlA, events: ["handoff.requested"] } }), 201, "webhook endpoint of A");
    Object.assign(fx.ids, { webhookA: webhookA.id });
    fx.webhookSecretA = webhookA.secret;
    // A's provider key: no answer to anyone (A's own reads included) may show more than its last four.
    fx.providerKeyA = `sk-provider-key-of-A-${nonce}-${randomBytes(8).toString("hex")}`;
    ok(await http(GW, "PUT", "/api/v1/provider-keys/openai", { token: fx.A.token, body: { key: fx.providerKeyA } }),
      200, "provider key of A");
    // A private chat line in cA, so that reading the conversation shows something of A's.
    const visitor = new ChatClient(GW, fx.A.session.token);
    await visitor.opened;
    visitor.send({ type: "conversation.join", conversation_id: fx.ids.convA, since_seq: 0 });
    await visitor.waitFor((f) => f.type === "conversation.joined");
    fx.chatSecret = `chat-secret-A-${nonce}`;
    visitor.send({ type: "message.send", conversation_id: fx.ids.convA, client_id: "setup", text: fx.chatSecret });
    await visitor.waitFor((f) => f.type === "message.ack");
    visitor.close();
    // A file in cA (isolation_matrix.mjs "Files"), uploaded by its visitor.
    const uploaded = ok(await http(GW, "POST", `/api/v1/conversations/${fx.ids.convA}/attachments`, {
      token: fx.A.session.token, body: pngForm("setup") }), 201, "attachment of A");
    fx.ids.attachmentA = uploaded.attachment.id;
    // Everything of tenant A that no one outside A may see.
    fx.secretsA = [fx.A.user.id, fx.A.user.tenant_id, fx.A.account.email, fx.A.bot.id, fx.A.doc.id,
                   fx.ids.convA, fx.ids.convA2, fx.chatSecret, `knowledge-secret-A-${nonce}`, fx.providerKeyA,
                   teamInvite.token, teamInvite.invite_id, fx.cannedSecretA, fx.ids.cannedA,
                   fx.webhookUrlA, fx.webhookSecretA, fx.ids.webhookA];

    Object.assign(tokens, {
      owner: fx.A.token, other_tenant: fx.B.token, visitor_own: fx.A.session.token,
      visitor_other: fx.B.session.token, none: undefined, ...forgeTokens(fx.A.token, fx.B.token),
    });
  });

  after(() => {
    for (const s of sockets) s.close();
    fleet?.stop();
  });

  test("forged tokens differ from a valid one only where intended (controls)", async () => {
    // Re-signing A's claims with the fleet's key is accepted: the forgeries fail for their flaw.
    const resigned = signJwt(payloadOf(fx.A.token));
    assert.equal((await http(GW, "GET", "/api/v1/users/me", { token: resigned })).status, 200);
    assert.equal(payloadOf(tokens.tampered).tid, fx.A.user.tenant_id);
  });

  test("more forgeries are refused on REST and on the upgrade (alg confusion, signature gone, claims missing)", async () => {
    const owner = payloadOf(fx.A.token);
    const [head, body] = fx.A.token.split(".");
    const { tid, ...withoutTenant } = owner;
    const variants = {
      no_signature_segment: `${head}.${body}`,
      empty_signature: `${head}.${body}.`,
      alg_None: `${b64({ alg: "None", typ: "JWT" })}.${body}.`,
      alg_hs512: (() => {
        const input = `${b64({ alg: "HS512", typ: "JWT" })}.${body}`;
        return `${input}.${createHmac("sha512", jwtSecret).update(input).digest("base64url")}`;
      })(),
      no_tenant: hs256(jwtSecret, { alg: "HS256", typ: "JWT" }, withoutTenant),
      unknown_kind: hs256(jwtSecret, { alg: "HS256", typ: "JWT" }, { ...owner, kind: "admin" }),
      visitor_without_conversation: hs256(jwtSecret, { alg: "HS256", typ: "JWT" }, { ...owner, kind: "visitor", bot: fx.ids.botA }),
      not_a_jwt: "not-a-token",
    };
    assert.ok(tid);
    const outcomes = await Promise.all(Object.entries(variants).map(async ([name, token]) =>
      [name, (await http(GW, "GET", "/api/v1/users/me", { token })).status, await upgradeStatus(GW2, token)]));
    assert.deepEqual(outcomes.filter(([, rest, ws]) => rest !== 401 || ws !== 401), [], "accepted forgeries");
  });

  // --- REST ---

  let refreshToken; // single use: the refresh row chains them, one cell after the other
  const requestFor = {
    register: (c) => ({ body: { email: `reg-${c}-${nonce}@x.example`, username: `reg_${c.slice(0, 12)}_${nonce}`,
                                password: "a fine password" } }),
    login: () => ({ body: { email: fx.A.account.email, password: fx.A.account.password } }),
    refresh: () => ({ body: { refresh_token: refreshToken } }),
    logout: () => ({ body: { refresh_token: "unknown-" + randomBytes(12).toString("hex") } }),
    change_plan: () => ({ body: { plan: "pro" } }),
    create_bot: (c) => ({ body: { name: `created-by-${c}` } }),
    update_bot: (c) => ({ body: { name: `renamed-by-${c}` } }),
    add_document: (c) => ({ body: { title: `added-by-${c}`, body: "text" } }),
    widget_session: () => ({ body: {} }),
    set_provider_key: (c) => ({ body: { key: `sk-set-by-${c}-${nonce}` } }),
    connect_channel: () => ({ body: { type: "telegram", token: "not-a-token", mode: "polling" } }),
    telegram_webhook: () => ({ body: { update_id: 1 } }),
    mark_read: () => ({ body: { seq: 1 } }),
    dismiss_unanswered: (c) => ({ body: { key: `question of ${c}` } }),
    set_feedback: () => ({ body: { rating: "up" } }),
    create_canned: (c) => ({ body: { short_code: `by-${c.replace(/_/g, "-")}`, content: `saved by ${c}` } }),
    update_canned: (c) => ({ body: { content: `edited by ${c}` } }),
    create_webhook_endpoint: (c) => ({ body: { url: `https://hooks-by-${c.replace(/_/g, "-")}.example.invalid/`,
                                               events: ["handoff.requested"] } }),
    update_webhook_endpoint: () => ({ body: { enabled: false } }),
    create_room: (c) => ({ body: { name: `room-by-${c}` } }),
    transfer_room_ownership: () => ({ body: { member_id: fx.A.user.id } }),
    set_room_member_role: () => ({ body: { role: "member" } }),
    create_room_invite: () => ({ body: { ttl_seconds: 600 } }),
    post_room_message: (c) => ({ body: { client_id: `m-${c}`, text: `room line by ${c}` } }),
    set_room_bot: () => ({ body: { bot_id: fx.A.bot.id } }),
    upload_attachment: (c) => ({ body: pngForm(c) }),
    put_e2ee_device: () => ({ body: { public_key: fx.e2ee.publicKey } }),
    create_team_invite: () => ({ body: { role: "operator" } }),
    set_team_member_role: () => ({ body: { role: "admin" } }),
    post_room_e2ee_keys: () => ({ body: { epoch: 1, key_id: fx.e2ee.keyId, device_id: fx.ids.deviceA,
      keys: [{ user_id: fx.A.user.id, device_id: fx.ids.deviceA, wrapped_key: "a.b.c" }] } }),
  };

  const problems = []; // leaks and malformed errors, reported after every cell ran

  async function restCell(row, caller) {
    const route = row.path.replace(/\{(\w+)\}/g, (_, p) => fx.ids[row.bind[p]]);
    const { body } = requestFor[row.id]?.(caller) ?? {};
    const res = await http(GW, row.method, route, { token: tokens[caller], body });
    if (row.id === "refresh" && res.status === 200) refreshToken = res.body.refresh_token;
    // Nothing of A in an answer to anyone outside A (unless the caller named it in the request).
    if (!["owner", "visitor_own"].includes(caller)) {
      const text = JSON.stringify(res.body);
      const asked = route + JSON.stringify(body ?? "");
      for (const secret of fx.secretsA) {
        if (!asked.includes(secret) && text.includes(secret)) problems.push(`${row.id} as ${caller} leaked ${secret}: ${text.slice(0, 300)}`);
      }
    }
    // A provider key never comes back, not even to its own tenant (write-only API).
    const answer = JSON.stringify(res.body);
    for (const key of [fx.providerKeyA, `sk-set-by-${caller}-${nonce}`]) {
      if (answer.includes(key)) problems.push(`${row.id} as ${caller} returned a provider key: ${answer.slice(0, 300)}`);
    }
    const code = { 401: "unauthorized", 403: "forbidden", 404: "not_found" }[res.status];
    if (code && res.body?.error?.code !== code) problems.push(`${row.id} as ${caller}: ${res.status} with ${JSON.stringify(res.body)}`);
    results.rest[row.id] ??= {};
    results.rest[row.id][caller] = res.status;
  }

  test("REST: every route × every caller (except owner deletions)", async () => {
    refreshToken = fx.A.refresh;
    const sequential = new Set(["register", "login", "refresh"]); // password hashing; refresh chain
    for (const row of REST_ROWS.filter((r) => sequential.has(r.id))) {
      for (const caller of CALLERS) await restCell(row, caller);
    }
    const cells = REST_ROWS.filter((r) => !sequential.has(r.id)).flatMap((row) =>
      CALLERS.filter((c) => !(row.ownerLast && c === "owner")).map((c) => () => restCell(row, c)));
    await pool(cells, 8);
    assert.deepEqual(problems, [], "answers that leak tenant A or carry the wrong error code");
  });

  // --- WebSocket ---

  async function wsCell(row, caller) {
    const record = (outcome) => { (results.ws[row.id] ??= {})[caller] = outcome; };
    const token = tokens[caller];
    if (row.id === "upgrade") {
      const [query, header] = await Promise.all([upgradeStatus(GW2, token), upgradeStatus(GW2, token, { header: true })]);
      assert.equal(query, header, `upgrade as ${caller}: query ${query}, header ${header}`);
      return record(query);
    }
    // In-band renewal: the socket is A's user's; the caller's token is the one offered.
    const renew = row.id === "renew";
    const client = new ChatClient(GW2, (renew ? tokens.owner : token) ?? "");
    client.ws.on("error", () => {}); // a refused upgrade is an outcome, not a failure
    try {
      await client.opened;
    } catch (e) {
      client.ws.terminate();
      const refused = /upgrade refused: (\d+)/.exec(e.message);
      if (!refused) throw e;
      return record(Number(refused[1]));
    }
    Object.assign(client, { caller, row: row.id });
    sockets.push(client);
    const cid = row.id === "join_sibling" ? fx.ids.convA2 : fx.ids.convA;
    /** Sends `frame`, resolves the first later frame matching `pred`. */
    const exchange = (frame, pred, what) => {
      const from = client.frames.length;
      client.send(frame);
      return client.waitUntil((c) => c.frames.slice(from).find(pred), 10000, `${what} (${row.id} as ${caller})`);
    };
    const outcome = (f, success) => (f.type === "error" ? f.code : success);
    const join = async (since) => outcome(await exchange({ type: "conversation.join", conversation_id: cid, since_seq: since },
      (f) => f.conversation_id === cid && ["conversation.joined", "error"].includes(f.type), "join answer"), "joined");
    if (renew) {
      return record(outcome(await exchange({ type: "auth", ...(token ? { token } : {}) },
        (f) => ["auth.ok", "error"].includes(f.type), "renewal answer"), "auth.ok"));
    }
    if (row.id === "inbox_subscribe" || row.id === "inbox_unsubscribe") {
      const type = row.id === "inbox_subscribe" ? "inbox.subscribe" : "inbox.unsubscribe";
      const answer = row.id === "inbox_subscribe" ? "inbox.subscribed" : "inbox.unsubscribed";
      return record(outcome(await exchange({ type }, (f) => [answer, "error"].includes(f.type), `${type} answer`),
        answer.slice("inbox.".length)));
    }
    if (row.id === "ping") {
      return record(outcome(await exchange({ type: "ping" }, (f) => ["pong", "error"].includes(f.type), "pong"), "pong"));
    }
    if (row.id === "replay") {
      const joined = await join(0);
      const replayed = client.messages().filter((m) => m.conversation_id === cid);
      if (joined !== "joined") {
        assert.equal(replayed.length, 0, `replay as ${caller} got messages with ${joined}`);
        return record(joined);
      }
      const last = client.frames.find((f) => f.type === "conversation.joined").last_seq;
      const history = replayed.filter((m) => m.seq <= last);
      const complete = history.length === last && history.some((m) => m.message.text === fx.chatSecret);
      return record(complete ? "replay" : `joined with ${history.length}/${last} messages`);
    }
    const joined = await join(1e12); // clamped to last_seq: no replay
    if (row.id === "join" || row.id === "join_sibling") return record(joined);
    if (row.id === "send") {
      const clientId = `send-${caller}`;
      return record(outcome(await exchange(
        { type: "message.send", conversation_id: cid, client_id: clientId, text: `ws-send-by-${caller}-${nonce}` },
        (f) => f.client_id === clientId && ["message.ack", "error"].includes(f.type), "send answer"), "ack"));
    }
    if (row.id === "leave") {
      return record(outcome(await exchange({ type: "conversation.leave", conversation_id: cid },
        (f) => f.conversation_id === cid && ["conversation.left", "error"].includes(f.type), "leave answer"), "left"));
    }
    if (row.id === "handoff") {
      const from = client.frames.length;
      const first = await exchange({ type: "handoff.request", conversation_id: cid },
        (f) => ["conversation.state", "error"].includes(f.type), "handoff answer");
      if (first.type === "error") return record(first.code);
      // cA is shared by the cells running at once: a conversation.state may be another cell's
      // broadcast, with this request's refusal right behind it. An error within 1 s decides.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const refused = client.frames.slice(from).find((f) => f.type === "error");
      return record(refused ? refused.code : "state");
    }
    if (row.id === "typing") {
      const from = client.frames.length;
      client.send({ type: "typing", conversation_id: cid, state: "start" });
      client.send({ type: "ping" });
      const answer = await client.waitUntil((c) => c.frames.slice(from).find((f) => ["pong", "error"].includes(f.type)),
        10000, `typing answer (as ${caller})`);
      return record(outcome(answer, "silent"));
    }
    throw new Error(`no driver for WebSocket row ${row.id}`);
  }

  test("WebSocket: every operation × every caller", async () => {
    const cells = WS_ROWS.flatMap((row) => CALLERS.map((c) => () => wsCell(row, c)));
    await pool(cells, 8);
    // Let the bot's reply to the visitor's message fan out to every socket still open.
    const replied = sockets.find((s) => s.row === "send" && s.caller === "visitor_own");
    await replied.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "bot" &&
      f.seq > 1 && f.conversation_id === fx.ids.convA, 15000, "the bot's reply");
  });

  test("no socket received anything of a conversation it may not join", () => {
    for (const s of sockets) {
      const forbidden = new Set(s.caller === "visitor_own" ? [fx.ids.convA2]
        : s.caller === "owner" ? [] : [fx.ids.convA, fx.ids.convA2]);
      const leaked = s.frames.filter((f) => f.type !== "error" &&
        (forbidden.has(f.conversation_id) || forbidden.has(f.conversation?.id)));
      assert.deepEqual(leaked, [], `${s.row} as ${s.caller} received frames of a conversation of A`);
    }
  });

  test("nothing a refused caller tried changed tenant A", async () => {
    const token = fx.A.token;
    const bot = await http(GW, "GET", `/api/v1/bots/${fx.ids.botA}`, { token });
    assert.equal(bot.body.name, "renamed-by-owner");
    // Only the owner's edit reached A's saved reply; B's create went to B.
    const canned = (await http(GW, "GET", "/api/v1/canned-responses", { token })).body.canned_responses;
    assert.equal(canned.find((c) => c.id === fx.ids.cannedA)?.content, "edited by owner");
    assert.deepEqual(canned.map((c) => c.short_code).sort(), ["by-owner", "secret-a"]);
    const bots = await http(GW, "GET", "/api/v1/bots", { token });
    assert.deepEqual(bots.body.bots.map((b) => b.name).sort(), ["created-by-owner", "renamed-by-owner"]);
    const docs = await http(GW, "GET", `/api/v1/bots/${fx.ids.botA}/knowledge`, { token });
    assert.deepEqual(docs.body.documents.map((d) => d.title).sort(), ["Doc A", "added-by-owner"]);
    const messages = await http(GW, "GET", `/api/v1/conversations/${fx.ids.convA}/messages`, { token });
    const texts = messages.body.messages.map((m) => m.text).filter((t) => t.startsWith("ws-send-by-"));
    assert.deepEqual(texts.sort(), [`ws-send-by-owner-${nonce}`, `ws-send-by-visitor_own-${nonce}`]);
    // Refused takeovers changed nothing: the bot still handles cA.
    const convs = await http(GW, "GET", `/api/v1/bots/${fx.ids.botA}/conversations`, { token });
    assert.equal(convs.body.conversations.find((c) => c.id === fx.ids.convA).handler, "bot");
    const otherBots = await http(GW, "GET", "/api/v1/bots", { token: fx.B.token });
    assert.deepEqual(otherBots.body.bots.map((b) => b.name).sort(), ["Bot B", "created-by-other_tenant"]);
  });

  test("REST: owner deletions (last, they destroy the targets)", async () => {
    for (const id of ["takeover", "delete_document", "delete_bot", "delete_provider_key", "revoke_team_invite", "delete_canned", "delete_webhook_endpoint"]) await restCell(REST_ROWS.find((r) => r.id === id), "owner");
    assert.deepEqual(problems, []);
    const gone = await http(GW, "GET", `/api/v1/bots/${fx.ids.botA}`, { token: fx.A.token });
    assert.equal(gone.status, 404);
  });

  test("no service log of the fleet holds a provider key", () => {
    const logs = path.join(fleet.dir, "logs");
    const files = readdirSync(logs).filter((f) => f.endsWith(".log"));
    assert.ok(files.some((f) => f.startsWith("bot-registry")), `no bot-registry log in ${logs}: ${files}`);
    for (const file of files) {
      const text = readFileSync(path.join(logs, file), "utf8");
      for (const key of [fx.providerKeyA, `sk-set-by-owner-${nonce}`, `sk-set-by-other_tenant-${nonce}`]) {
        assert.ok(!text.includes(key), `${file} holds a provider key`);
      }
    }
  });

  test("every cell has its documented outcome; zero cross-tenant successes", (t) => {
    // A WebSocket outcome is a success word or an `error` frame's code.
    const successes = new Set(["joined", "replay", "ack", "left", "pong", "auth.ok"]);
    const refusal = (v) => (typeof v === "number" ? v >= 400 : !successes.has(v) && !v.startsWith("joined with"));
    const wrong = [];
    const breaches = [];
    for (const [kind, rows, got] of [["REST", REST_ROWS, results.rest], ["WS", WS_ROWS, results.ws]]) {
      for (const row of rows) {
        for (const caller of CALLERS) {
          const want = expected(row, caller);
          const wantValue = kind === "REST" ? statusOf(want) : want;
          const actual = got[row.id]?.[caller];
          if (actual !== wantValue) wrong.push(`${kind} ${row.id} as ${caller}: expected ${want}, got ${actual}`);
          if (caller !== "owner" && refusal(wantValue) && actual !== undefined && !refusal(actual)) {
            breaches.push(`${kind} ${row.id} as ${caller}: ${actual}`);
          }
        }
      }
    }
    t.diagnostic(`measured:\n${measuredTable(results)}`);
    assert.deepEqual(breaches, [], "isolation breaches (a refused caller succeeded)");
    assert.deepEqual(wrong, [], "cells whose outcome differs from docs/security.md");
  });
});

// Column order sanity (the table and the callers list must agree).
test("matrix columns cover every caller", () => {
  assert.deepEqual([...new Set(CALLERS.map(columnOf))], COLUMNS.map(([k]) => k));
});
