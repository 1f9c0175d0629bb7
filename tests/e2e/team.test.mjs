// Team accounts end to end (docs/api.md "Team accounts") on the real fleet, two gateway
// replicas: the owner invites an operator, who registers with the invite token, sees the
// tenant's conversations, takes one over and replies to the visitor (over the other replica),
// but gets 403 on bot, billing and team changes; the invite is single use; the trial plan's two
// seats are enforced; another tenant's user can reach nothing of the team; removing the
// operator ends its refresh tokens and its access. Revoked access tokens: a removed member's
// token is refused on REST and its open WebSocket closed; a demoted admin's old token loses the
// admin routes while a refreshed or fresh one carries the new role; others are unaffected.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { horizontalOverflow, launchChromium, signInDashboard } from "./browser_support.mjs";
import { ChatClient, http, repoRoot, startFleet } from "./harness.mjs";

const SHOTS = path.join(repoRoot, "build", "screenshots");
const AXE = path.join(repoRoot, "web/dashboard/node_modules/axe-core/axe.min.js");

const nonce = randomBytes(4).toString("hex");
const account = (name) => ({ email: `${name}-${nonce}@team.example`, username: `${name}_${nonce}`, password: `pw of ${name} ${nonce}` });
let fleet;
let A;
let B;
const s = { clients: [] };

async function register(base, who, inviteToken) {
  const body = inviteToken === undefined ? who : { ...who, invite_token: inviteToken };
  return http(base, "POST", "/api/v1/users", { body });
}

async function login(base, who) {
  const r = await http(base, "POST", "/api/v1/auth/login", { body: { email: who.email, password: who.password } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function invite(token, role = "operator") {
  const r = await http(A, "POST", "/api/v1/team/invites", { token, body: { role } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  process.env.RATE_LIMIT_AUTH_PER_MIN = "0";
  fleet = await startFleet();
  [A, B] = fleet.gateways;
  s.owner = account("owner");
  assert.equal((await register(A, s.owner)).status, 201);
  s.ownerPair = await login(A, s.owner);
  const bot = await http(A, "POST", "/api/v1/bots", { token: s.ownerPair.access_token, body: { name: "Team Bot", greeting: "Hi!" } });
  assert.equal(bot.status, 201, JSON.stringify(bot.body));
  s.bot = bot.body;
  s.stranger = account("stranger");  // tenant B
  assert.equal((await register(A, s.stranger)).status, 201);
  s.strangerPair = await login(A, s.stranger);
});

after(async () => {
  for (const c of s.clients) c.close();
  await s.browser?.close();
  fleet?.stop();
});

describe("team accounts", () => {
  test("the owner invites an operator, who registers into the owner's tenant with the invite's role", async () => {
    const created = await invite(s.ownerPair.access_token);
    assert.equal(created.role, "operator");
    assert.match(created.token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(created.expires_at) > Date.now() + 6 * 24 * 3600 * 1000);
    s.operator = account("operator");
    const joined = await register(B, s.operator, created.token);
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
    const me = await http(A, "GET", "/api/v1/users/me", { token: s.ownerPair.access_token });
    assert.equal(joined.body.tenant_id, me.body.tenant_id);
    assert.equal(joined.body.role, "operator");
    assert.equal(me.body.role, "owner");
    s.operatorId = joined.body.id;
    s.operatorPair = await login(A, s.operator);
    const claims = JSON.parse(Buffer.from(s.operatorPair.access_token.split(".")[1], "base64url"));
    assert.equal(claims.role, "operator");

    // Single use.
    const again = await register(A, account("again"), created.token);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "invite_used");
    const unknown = await register(A, account("unknown"), "no-such-invite-token");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "invite_invalid");

    const team = await http(B, "GET", "/api/v1/team/members", { token: s.operatorPair.access_token });
    assert.equal(team.status, 200, JSON.stringify(team.body));
    assert.deepEqual(team.body.members.map((m) => m.role), ["owner", "operator"]);
    assert.deepEqual(team.body.seats, { used: 2, limit: 2 });  // the trial plan's two seats
  });

  test("over the plan's seats, registering with a valid invite is 409 seat_limit; a revoked invite is 409 invite_revoked", async () => {
    const extra = await invite(s.ownerPair.access_token);
    const full = await register(A, account("third"), extra.token);
    assert.equal(full.status, 409, JSON.stringify(full.body));
    assert.equal(full.body.error.code, "seat_limit");
    const revoke = await http(A, "DELETE", `/api/v1/team/invites/${extra.invite_id}`, { token: s.ownerPair.access_token });
    assert.equal(revoke.status, 204);
    const revoked = await register(A, account("third"), extra.token);
    assert.equal(revoked.status, 409);
    assert.equal(revoked.body.error.code, "invite_revoked");
  });

  test("the operator sees the tenant's conversations, takes one over and replies to the visitor", async () => {
    const session = await http(A, "POST", `/api/v1/widget/${s.bot.public_id}/sessions`, { body: { name: "Team Visitor" } });
    assert.equal(session.status, 201);
    const visitor = new ChatClient(A, session.body.token);
    s.clients.push(visitor);
    await visitor.opened;
    const cid = session.body.conversation_id;
    visitor.send({ type: "conversation.join", conversation_id: cid, since_seq: 0 });
    await visitor.waitFor((f) => f.type === "conversation.joined", 10000, "visitor joined");
    visitor.send({ type: "message.send", conversation_id: cid, client_id: "v-1", text: "Is anyone there?" });
    await visitor.waitFor((f) => f.type === "message.ack", 10000, "ack");

    const token = s.operatorPair.access_token;
    const inbox = await http(B, "GET", "/api/v1/conversations", { token });
    assert.equal(inbox.status, 200, JSON.stringify(inbox.body));
    assert.ok(inbox.body.conversations.some((c) => c.id === cid), "the operator's inbox lists the conversation");
    assert.equal((await http(B, "GET", `/api/v1/conversations/${cid}/messages`, { token })).status, 200);
    assert.equal((await http(B, "GET", "/api/v1/bots", { token })).status, 200);
    assert.equal((await http(B, "GET", `/api/v1/bots/${s.bot.id}`, { token })).status, 200);
    const takeover = await http(B, "POST", `/api/v1/conversations/${cid}/takeover`, { token });
    assert.equal(takeover.status, 200, JSON.stringify(takeover.body));

    const operator = new ChatClient(B, token);
    s.clients.push(operator);
    await operator.opened;
    operator.send({ type: "conversation.join", conversation_id: cid, since_seq: 0 });
    await operator.waitFor((f) => f.type === "conversation.joined", 10000, "operator joined");
    operator.send({ type: "message.send", conversation_id: cid, client_id: "o-1", text: "Hello, Olga here." });
    const reply = await visitor.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "operator", 10000, "operator reply");
    assert.equal(reply.message.text, "Hello, Olga here.");
    assert.equal(reply.message.sender.name, s.operator.username);
    s.conversation = cid;
  });

  test("the operator gets 403 forbidden on bot, knowledge, channel, billing and team changes", async () => {
    const token = s.operatorPair.access_token;
    const refusals = [
      ["POST", "/api/v1/bots", { name: "nope" }],
      ["PATCH", `/api/v1/bots/${s.bot.id}`, { name: "renamed" }],
      ["DELETE", `/api/v1/bots/${s.bot.id}`],
      ["POST", `/api/v1/bots/${s.bot.id}/knowledge`, { title: "t", body: "b" }],
      ["GET", `/api/v1/bots/${s.bot.id}/channels`],
      ["POST", "/api/v1/subscriptions", { plan: "pro" }],
      ["PUT", "/api/v1/provider-keys/openai", { key: "sk-nope" }],
      ["POST", "/api/v1/team/invites", { role: "operator" }],
      ["DELETE", `/api/v1/team/members/${s.operatorId}`],
      ["PATCH", `/api/v1/team/members/${s.operatorId}`, { role: "admin" }],
    ];
    for (const [method, route, body] of refusals) {
      const r = await http(A, method, route, { token, body });
      assert.equal(r.status, 403, `${method} ${route}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, "forbidden");
      assert.match(r.body.error.message, /role required/);
    }
    // Nothing changed.
    const bot = await http(A, "GET", `/api/v1/bots/${s.bot.id}`, { token });
    assert.equal(bot.body.name, "Team Bot");
    const sub = await http(A, "GET", "/api/v1/subscriptions/current", { token });
    assert.equal(sub.status, 200);
    assert.equal(sub.body.plan.code, "trial");
  });

  test("another tenant's user reaches nothing of the team", async () => {
    const token = s.strangerPair.access_token;
    const team = await http(A, "GET", "/api/v1/team/members", { token });
    assert.equal(team.status, 200);
    assert.deepEqual(team.body.members.map((m) => m.username), [s.stranger.username]);
    assert.equal((await http(A, "DELETE", `/api/v1/team/members/${s.operatorId}`, { token })).status, 404);
    assert.equal((await http(A, "PATCH", `/api/v1/team/members/${s.operatorId}`, { token, body: { role: "admin" } })).status, 404);
    assert.equal((await http(A, "GET", `/api/v1/conversations/${s.conversation}/messages`, { token })).status, 404);
    const inbox = await http(A, "GET", "/api/v1/conversations", { token });
    assert.ok(!inbox.body.conversations.some((c) => c.id === s.conversation));
    // Its own invite joins its own tenant, never the other one.
    const own = await invite(token);
    const joined = await register(A, account("bmember"), own.token);
    assert.equal(joined.status, 201);
    const me = await http(A, "GET", "/api/v1/users/me", { token });
    assert.equal(joined.body.tenant_id, me.body.tenant_id);
  });

  test("the owner promotes, demotes and removes the operator: its refresh token and access end", async () => {
    const owner = s.ownerPair.access_token;
    const promoted = await http(A, "PATCH", `/api/v1/team/members/${s.operatorId}`, { token: owner, body: { role: "admin" } });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.equal(promoted.body.role, "admin");
    const demoted = await http(A, "PATCH", `/api/v1/team/members/${s.operatorId}`, { token: owner, body: { role: "operator" } });
    assert.equal(demoted.body.role, "operator");
    const me = await http(A, "GET", "/api/v1/users/me", { token: owner });
    const self = await http(A, "DELETE", `/api/v1/team/members/${me.body.id}`, { token: owner });
    assert.equal(self.status, 403);
    const removed = await http(A, "DELETE", `/api/v1/team/members/${s.operatorId}`, { token: owner });
    assert.equal(removed.status, 204);
    const refresh = await http(A, "POST", "/api/v1/auth/refresh", { body: { refresh_token: s.operatorPair.refresh_token } });
    assert.equal(refresh.status, 401);
    const relogin = await http(A, "POST", "/api/v1/auth/login", { body: { email: s.operator.email, password: s.operator.password } });
    assert.equal(relogin.status, 401);
    // The role changes and the removal revoked its access token (docs/security.md "Revoked
    // access tokens"): refused before any upstream call.
    const old = await http(A, "GET", "/api/v1/team/members", { token: s.operatorPair.access_token });
    assert.equal(old.status, 401, JSON.stringify(old.body));
    assert.equal(old.body.error.code, "token_revoked");
    const team = await http(A, "GET", "/api/v1/team/members", { token: owner });
    assert.deepEqual(team.body.seats, { used: 1, limit: 2 });
  });
});

/** Repeats `call` until `done(result)` or `ms` passed (bounded poll); returns the last result. */
async function pollUntil(call, done, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await call();
    if (done(result) || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const revokedOn = (base, method, route, token) =>
  pollUntil(() => http(base, method, route, { token }), (r) => r.status === 401);

describe("revoked access tokens", () => {
  const r = {};
  before(async () => {
    // Its own tenant on the starter plan (5 seats): owner, admin, two operators.
    r.owner = account("lead");
    assert.equal((await register(A, r.owner)).status, 201);
    r.ownerPair = await login(A, r.owner);
    const token = r.ownerPair.access_token;
    assert.equal((await http(A, "POST", "/api/v1/subscriptions", { token, body: { plan: "starter" } })).status, 200);
    const bot = await http(A, "POST", "/api/v1/bots", { token, body: { name: "Revoke Bot", greeting: "Hi!" } });
    assert.equal(bot.status, 201, JSON.stringify(bot.body));
    r.bot = bot.body;
    const join = async (name, role, by) => {
      const created = await http(A, "POST", "/api/v1/team/invites", { token: by, body: { role } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const who = account(name);
      const joined = await register(A, who, created.body.token);
      assert.equal(joined.status, 201, JSON.stringify(joined.body));
      return { who, id: joined.body.id, pair: await login(A, who) };
    };
    r.admin = await join("adm", "admin", token);
    r.op = await join("opx", "operator", r.admin.pair.access_token);
    r.bystander = await join("bys", "operator", token);
  });

  test("an admin removes an operator: its next REST call is 401 token_revoked and its open WebSocket is closed with 4001", async () => {
    const opToken = r.op.pair.access_token;
    assert.equal((await http(B, "GET", "/api/v1/bots", { token: opToken })).status, 200);  // cached: valid
    const ws = new ChatClient(B, opToken);
    const other = new ChatClient(B, r.bystander.pair.access_token);
    s.clients.push(ws, other);
    await Promise.all([ws.opened, other.opened]);
    ws.send({ type: "inbox.subscribe" });
    other.send({ type: "inbox.subscribe" });
    await ws.waitFor((f) => f.type === "inbox.subscribed", 10000, "operator inbox");
    await other.waitFor((f) => f.type === "inbox.subscribed", 10000, "bystander inbox");

    const removed = await http(A, "DELETE", `/api/v1/team/members/${r.op.id}`, { token: r.admin.pair.access_token });
    assert.equal(removed.status, 204, JSON.stringify(removed.body));
    for (const base of [A, B]) {
      const refused = await revokedOn(base, "GET", "/api/v1/bots", opToken);
      assert.equal(refused.status, 401, `${base}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.code, "token_revoked");
    }
    await ws.waitUntil((c) => c.closed, 10000, "the removed operator's socket closes");
    assert.equal(ws.closed.code, 4001);
    assert.equal(ws.closed.reason, "token revoked");
    // A new socket with the old token is refused at the upgrade.
    const again = new ChatClient(A, opToken);
    await assert.rejects(again.opened, /upgrade refused: 401/);
    // Another member of the same tenant keeps its REST access and its socket.
    assert.equal((await http(B, "GET", "/api/v1/bots", { token: r.bystander.pair.access_token })).status, 200);
    assert.equal(other.closed, null);
    other.send({ type: "inbox.unsubscribe" });
    await other.waitFor((f) => f.type === "inbox.unsubscribed", 10000, "bystander still served");
  });

  test("a demoted admin's old token loses the admin routes at once; a refreshed or fresh login carries the new role", async () => {
    const channels = `/api/v1/bots/${r.bot.id}/channels`;
    const oldToken = r.admin.pair.access_token;
    assert.equal((await http(A, "GET", channels, { token: oldToken })).status, 200);  // an admin route
    const demoted = await http(A, "PATCH", `/api/v1/team/members/${r.admin.id}`, { token: r.ownerPair.access_token, body: { role: "operator" } });
    assert.equal(demoted.status, 200, JSON.stringify(demoted.body));
    for (const base of [A, B]) {
      const refused = await revokedOn(base, "GET", channels, oldToken);
      assert.equal(refused.status, 401, `${base}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.code, "token_revoked");
      assert.equal((await http(base, "GET", "/api/v1/bots", { token: oldToken })).status, 401);
    }
    // Its refresh token still works (a role change is not a removal): the new token is an operator's.
    const refreshed = await http(B, "POST", "/api/v1/auth/refresh", { body: { refresh_token: r.admin.pair.refresh_token } });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const fresh = await login(A, r.admin.who);
    for (const token of [refreshed.body.access_token, fresh.access_token]) {
      const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url"));
      assert.equal(claims.role, "operator");
      const denied = await http(A, "GET", channels, { token });
      assert.equal(denied.status, 403, JSON.stringify(denied.body));
      assert.equal(denied.body.error.code, "forbidden");
      assert.equal((await http(B, "GET", "/api/v1/bots", { token })).status, 200);
    }
    // The owner and the other operator are unaffected.
    assert.equal((await http(A, "GET", channels, { token: r.ownerPair.access_token })).status, 200);
    assert.equal((await http(A, "GET", "/api/v1/bots", { token: r.bystander.pair.access_token })).status, 200);
    assert.equal((await http(A, "GET", "/api/v1/users/me", { token: s.strangerPair.access_token })).status, 200);
  });
});

describe("the dashboard's Team page", () => {
  test("the owner creates an invite link; the invitee signs up with it and is listed (en, ru, uz at 1280 and 375 px)", async () => {
    mkdirSync(SHOTS, { recursive: true });
    s.browser = await launchChromium();
    const ownerContext = await s.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    await ownerContext.grantPermissions(["clipboard-read", "clipboard-write"], { origin: A });
    const ownerPage = await ownerContext.newPage();
    const errors = [];
    ownerPage.on("pageerror", (e) => errors.push(String(e)));
    await signInDashboard(ownerPage, A, s.owner);
    await ownerPage.click("a[href='/app/team']");
    await ownerPage.waitForSelector("[data-testid=team-members] tbody tr");
    await ownerPage.click("[data-testid=create-invite]");
    const link = (await (await ownerPage.waitForSelector("[data-testid=invite-link]")).textContent()).trim();
    assert.match(link, /\/app\/signup\?invite=[A-Za-z0-9_-]{43}$/);
    // Copy puts the link on the clipboard (it is shown only once).
    await ownerPage.click("[data-testid=copy-invite]");
    await ownerPage.waitForSelector("[data-testid=copy-invite-status] >> text=Copied to the clipboard.");
    assert.equal(await ownerPage.evaluate(() => navigator.clipboard.readText()), link);

    const joiner = await (await s.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" })).newPage();
    await joiner.goto(link);
    await joiner.waitForSelector("input[name=username]");
    assert.match(await joiner.textContent("main"), /invited to join a team/);
    const who = account("browser");
    await joiner.fill("input[name=email]", who.email);
    await joiner.fill("input[name=username]", who.username);
    await joiner.fill("input[name=password]", who.password);
    await joiner.click("button[type=submit]");
    await joiner.waitForURL(/\/app\/bots$/);

    await ownerPage.reload();
    await ownerPage.waitForSelector(`text=${who.username}`);
    assert.match(await ownerPage.textContent("[data-testid=team-seats]"), /2 of 2 seats used/);
    for (const lang of ["en", "ru", "uz"]) {
      await ownerPage.selectOption("[data-testid=language]", lang);
      await ownerPage.waitForFunction((l) => document.documentElement.lang === l, lang);
      for (const width of [1280, 375]) {
        await ownerPage.setViewportSize({ width, height: width === 375 ? 812 : 900 });
        await ownerPage.waitForTimeout(100);  // layout settles after the resize
        await ownerPage.screenshot({ path: path.join(SHOTS, `dashboard-team-${lang}-${width}.png`), fullPage: true });
        if (width === 375) {
          // Members are cards at phone width: every value has its label, nothing scrolls sideways.
          const unlabelled = await ownerPage.$$eval("[data-testid=team-members] tbody td",
            (cells) => cells.filter((c) => c.textContent.trim() && !c.querySelector("button") && !c.dataset.label).length);
          assert.equal(unlabelled, 0, `${lang}: every member value has a label`);
          const overflow = await horizontalOverflow(ownerPage);
          assert.equal(overflow.by, 0, `${lang}: the Team page scrolls sideways at 375 px: ${overflow.sticking.join(", ")}`);
        }
      }
    }
    if (!(await ownerPage.evaluate(() => "axe" in window))) await ownerPage.addScriptTag({ path: AXE });
    const results = await ownerPage.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(serious, [], "axe-core on the Team page");
    assert.deepEqual(errors, []);
  });
});
