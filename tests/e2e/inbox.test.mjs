// The inbox end to end against the real fleet on two gateway replicas: GET /api/v1/conversations
// (shape, filters, cursor, refusals), inbox.subscribe fanned out across replicas through Redis
// (visitors refused), and the dashboard's Inbox screen in headless Debian Chromium: a visitor
// (ChatClient on the other replica) writes → the conversation appears live with an unread
// badge; asks for a person → "waiting" badge; the operator takes over and replies → the visitor
// gets the reply and the state `human`; hand back → the bot answers again. The screen in en, ru
// and uz is photographed at 1280 px and 375 px (build/screenshots/) and checked by axe-core.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchChromium, shootAndCheck, signInDashboard } from "./browser_support.mjs";
import { ChatClient, http, startFleet } from "./harness.mjs";

const owner = { email: "owner@inbox.example", username: "inbox_owner", password: "inbox-pass-2026" };
let fleet;
let A;
let B;
let browser;
let page;
const state = { clients: [] };

before(async () => {
  fleet = await startFleet();
  [A, B] = fleet.gateways;
  assert.equal((await http(A, "POST", "/api/v1/users", { body: owner })).status, 201);
  const login = await http(A, "POST", "/api/v1/auth/login", { body: { email: owner.email, password: owner.password } });
  state.token = login.body.access_token;
  const bot = await http(A, "POST", "/api/v1/bots", {
    token: state.token, body: { name: "Shop Helper", language: "en", greeting: "Hello! How can I help?" },
  });
  assert.equal(bot.status, 201, JSON.stringify(bot.body));
  state.bot = bot.body;
});

after(async () => {
  for (const c of state.clients) c.close();
  await browser?.close();
  fleet?.stop();
});

async function visitor(base, name) {
  const session = await http(base, "POST", `/api/v1/widget/${state.bot.public_id}/sessions`, { body: { name } });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const client = new ChatClient(base, session.body.token);
  state.clients.push(client);
  await client.opened;
  client.send({ type: "conversation.join", conversation_id: session.body.conversation_id, since_seq: 0 });
  await client.waitFor((f) => f.type === "conversation.joined", 10000, "visitor joined");
  return { client, session: session.body, id: session.body.conversation_id };
}

describe("REST and WebSocket", () => {
  test("inbox.subscribe: staff of the tenant get conversation.updated across replicas; visitors are refused", async () => {
    const operator = new ChatClient(B, state.token);
    state.clients.push(operator);
    await operator.opened;
    operator.send({ type: "inbox.subscribe" });
    await operator.waitFor((f) => f.type === "inbox.subscribed", 10000, "inbox.subscribed");

    const v = await visitor(A, "Rest Visitor");  // replica A; the operator is on B
    await operator.waitFor((f) => f.type === "conversation.updated" && f.conversation.id === v.id, 10000, "created");
    v.client.send({ type: "message.send", conversation_id: v.id, client_id: "r-1", text: "Do you ship to Tashkent?" });
    const updated = await operator.waitFor((f) => f.type === "conversation.updated" && f.conversation.id === v.id &&
      f.conversation.last_message?.preview === "Do you ship to Tashkent?", 10000, "message event");
    const item = updated.conversation;
    assert.equal(item.bot_id, state.bot.id);
    assert.equal(item.channel, "web");
    assert.equal(item.visitor.name, "Rest Visitor");
    assert.equal(item.handler, "bot");
    assert.equal(item.last_message.sender_kind, "visitor");
    assert.equal(item.last_seq, item.last_message.seq);
    state.restConversation = v.id;
    // The bot's answer moves it once more; wait for it so the order below is settled.
    await operator.waitFor((f) => f.type === "conversation.updated" && f.conversation.id === v.id &&
      f.conversation.last_message?.sender_kind === "bot" && f.conversation.last_seq > item.last_seq, 20000, "bot reply event");

    // A visitor token may not watch the tenant's inbox.
    v.client.send({ type: "inbox.subscribe" });
    const refused = await v.client.waitFor((f) => f.type === "error" && f.code === "forbidden", 10000, "forbidden");
    assert.match(refused.message, /inbox/);
    operator.send({ type: "inbox.unsubscribe" });
    await operator.waitFor((f) => f.type === "inbox.unsubscribed", 10000, "unsubscribed");
  });

  test("GET /api/v1/conversations: tenant-wide, newest first, filters, cursor pages, bot names, refusals", async () => {
    const v2 = await visitor(B, "Second Visitor");
    v2.client.send({ type: "handoff.request", conversation_id: v2.id });
    await v2.client.waitFor((f) => f.type === "conversation.state" && f.waiting_for_human, 10000, "waiting");

    const all = await http(A, "GET", "/api/v1/conversations", { token: state.token });
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.equal(all.body.next_cursor, null);
    const ids = all.body.conversations.map((c) => c.id);
    assert.deepEqual(ids.slice(0, 2), [v2.id, state.restConversation]);
    const first = all.body.conversations[0];
    assert.equal(first.bot_name, "Shop Helper");
    assert.equal(first.waiting_for_human, true);
    assert.equal(typeof first.unread_count, "number");
    assert.equal(typeof first.read_seq, "number");
    assert.equal(first.last_message.sender_kind, "bot");  // the greeting

    const waiting = await http(B, "GET", "/api/v1/conversations?waiting=true", { token: state.token });
    assert.deepEqual(waiting.body.conversations.map((c) => c.id), [v2.id]);
    const ownBot = await http(B, "GET", `/api/v1/conversations?bot_id=${state.bot.id}&handler=bot`, { token: state.token });
    assert.deepEqual(ownBot.body.conversations.map((c) => c.id), ids);
    // Another bot's id (none of this tenant's) finds nothing.
    const otherBot = await http(B, "GET", "/api/v1/conversations?bot_id=00000000-0000-4000-8000-000000000001", { token: state.token });
    assert.equal(otherBot.status, 200);
    assert.deepEqual(otherBot.body.conversations, []);
    const telegram = await http(B, "GET", "/api/v1/conversations?channel=telegram", { token: state.token });
    assert.deepEqual(telegram.body.conversations, []);

    const page1 = await http(A, "GET", "/api/v1/conversations?limit=1", { token: state.token });
    assert.equal(page1.body.conversations.length, 1);
    assert.equal(typeof page1.body.next_cursor, "string");
    const page2 = await http(B, "GET", `/api/v1/conversations?limit=1&cursor=${encodeURIComponent(page1.body.next_cursor)}`, { token: state.token });
    assert.deepEqual([page1.body.conversations[0].id, page2.body.conversations[0].id], ids.slice(0, 2));

    for (const q of ["channel=fax", "handler=robot", "waiting=maybe", "bot_id=nope", "limit=0", "cursor=garbage"]) {
      const bad = await http(A, "GET", `/api/v1/conversations?${q}`, { token: state.token });
      assert.equal(bad.status, 400, `${q}: ${JSON.stringify(bad.body)}`);
      assert.equal(bad.body.error.code, "validation_failed", q);
    }
    const asVisitor = await http(A, "GET", "/api/v1/conversations", { token: v2.session.token });
    assert.equal(asVisitor.status, 403);
    assert.equal((await http(A, "GET", "/api/v1/conversations")).status, 401);
  });
});

describe("the Inbox screen", () => {
  before(async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    page = await context.newPage();
    page.on("pageerror", (e) => { state.pageErrors = [...(state.pageErrors ?? []), String(e)]; });
    await signInDashboard(page, A, owner);
  });

  const shoot = (name) => shootAndCheck(page, `inbox-${name}`);

  test("a visitor writes → live row with unread badge; asks for a person → waiting badge", async () => {
    await page.click("nav >> text=Inbox");
    await page.waitForSelector("[data-testid=inbox-status] >> text=Live");
    const v = await visitor(B, "Live Visitor");  // the browser is on replica A
    state.live = v;
    const row = page.locator(`[data-testid=inbox-row][data-id="${v.id}"]`);
    await row.waitFor({ timeout: 10000 });
    v.client.send({ type: "message.send", conversation_id: v.id, client_id: "l-1", text: "Where is my order 1234?" });
    // Greeting + question (+ the bot's answer) unread: the badge counts them.
    await page.waitForFunction((id) => {
      const badge = document.querySelector(`[data-testid=inbox-row][data-id="${id}"] [data-testid=badge-unread]`);
      return badge && Number(badge.textContent) >= 2;
    }, v.id, { timeout: 10000 });
    // The newest conversation is first.
    assert.equal(await page.locator("[data-testid=inbox-row]").first().getAttribute("data-id"), v.id);
    v.client.send({ type: "handoff.request", conversation_id: v.id });
    await row.locator("[data-testid=badge-waiting]").waitFor({ timeout: 10000 });
    await shoot("list-en");
  });

  test("the operator takes over and replies; the visitor sees `human` and the reply; hand back → the bot answers", async () => {
    const v = state.live;
    await page.click(`[data-testid=inbox-row][data-id="${v.id}"] a`);
    await page.waitForSelector("[data-testid=inbox-log] >> text=Where is my order 1234?");
    // Opening it marks it read: the badge goes.
    await page.locator(`[data-testid=inbox-row][data-id="${v.id}"] [data-testid=badge-unread]`).waitFor({ state: "detached", timeout: 10000 });

    await page.click("[data-testid=takeover-toggle]");
    await v.client.waitFor((f) => f.type === "conversation.state" && f.handler === "human", 10000, "state human");
    await page.waitForSelector("[data-testid=handler-state] >> text=A person answers");

    // The visitor types: the operator sees it.
    v.client.send({ type: "typing", conversation_id: v.id, state: "start" });
    await page.waitForSelector("[data-testid=typing] >> text=Live Visitor is typing…");

    await page.fill("[data-testid=reply-text]", "I am checking order 1234 for you now.");
    await page.keyboard.press("Enter");
    const reply = await v.client.waitFor((f) => f.type === "message.new" && f.message.sender.kind === "operator", 10000, "operator reply");
    assert.equal(reply.message.text, "I am checking order 1234 for you now.");
    assert.equal(reply.message.sender.name, owner.username);
    await page.waitForSelector("[data-testid=msg-operator] >> text=I am checking order 1234");
    await shoot("conversation-en");

    await page.click("[data-testid=takeover-toggle]");
    await v.client.waitFor((f) => f.type === "conversation.state" && f.handler === "bot", 10000, "state bot");
    const before = v.client.messages().length;
    const botsShown = await page.locator("[data-testid=msg-bot]").count();
    v.client.send({ type: "message.send", conversation_id: v.id, client_id: "l-2", text: "Thanks, and what are your hours?" });
    await v.client.waitUntil((c) => c.messages().slice(before).some((f) => f.message.sender.kind === "bot"), 20000, "bot answers again");
    await page.waitForSelector("[data-testid=handler-state] >> text=Bot answers");
    // The bot's reply reaches the open conversation live as well.
    await page.locator("[data-testid=msg-bot]").nth(botsShown).waitFor({ timeout: 20000 });
  });

  test("the keyboard reaches the list and the reply box with a visible focus", async () => {
    await page.goto(`${A}/app/inbox`);
    await page.waitForSelector("[data-testid=inbox-row]");
    const focused = [];
    for (let i = 0; i < 30 && focused.length < 1; i += 1) {
      await page.keyboard.press("Tab");
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        return el?.closest("[data-testid=inbox-row]") ? getComputedStyle(el).boxShadow : null;
      });
      if (info) focused.push(info);
    }
    assert.equal(focused.length, 1, "Tab reaches an inbox row");
    assert.notEqual(focused[0], "none", "the focused row shows a focus ring");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=inbox-detail]");
    assert.match(new URL(page.url()).pathname, /^\/app\/inbox\/[0-9a-f-]{36}$/);
  });

  test("Russian and Uzbek: the screen renders translated, dates per locale, axe-clean at 1280 and 375 px", async () => {
    for (const [lang, title, bot] of [["ru", "Входящие", "Отвечает бот"], ["uz", "Xabarlar", "Bot javob beradi"]]) {
      await page.selectOption("[data-testid=language]", lang);
      await page.goto(`${A}/app/inbox`);
      await page.waitForSelector(`h1 >> text=${title}`);
      await page.waitForSelector("[data-testid=inbox-row]");
      await shoot(`list-${lang}`);
      await page.click(`[data-testid=inbox-row][data-id="${state.live.id}"] a`);
      await page.waitForSelector("[data-testid=inbox-log] >> text=Where is my order 1234?");
      await page.waitForSelector(`[data-testid=handler-state] >> text=${bot}`);
      await shoot(`conversation-${lang}`);
    }
    await page.selectOption("[data-testid=language]", "en");
    assert.deepEqual(state.pageErrors ?? [], []);
  });
});
