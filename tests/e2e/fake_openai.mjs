// A fake OpenAI-compatible chat server for the end-to-end tests: `POST /v1/chat/completions`
// with `stream: true` answers Server-Sent Events the way api.openai.com does (one
// `chat.completion.chunk` per piece with `choices[0].delta.content`, a finish chunk, a usage
// chunk as `stream_options.include_usage` asks, `data: [DONE]`;
// https://platform.openai.com/docs/api-reference/chat-streaming): the first piece after
// `firstMs`, then one every `gapMs`.
// Errors as OpenAI sends them: `{"error":{"message","type","code"}}` with 401 / 500.
// A stream the client cut before its end is marked `aborted` (with the time) in `calls`.
import http from "node:http";

/**
 * Starts the fake on a free loopback port. `reply(request)` gets the parsed request body and
 * returns the pieces of the answer (strings). `keys` (optional): the only keys accepted in
 * `Authorization: Bearer <key>` (others get 401 invalid_api_key, as OpenAI answers); without it
 * any key is accepted. `fake.mode` may be changed at any time: "ok" (default), "error500" (500
 * with an error body) or "close" (the connection is destroyed before any response); so may
 * `fake.firstMs` (the delay before the first piece of the requests that come after).
 * Resolves to {url (the base URL for OPENAI_BASE_URL), requests (bodies received), calls
 * ({headers, body, status, usage} per request), mode, close()}.
 */
export async function startFakeOpenAi({ reply, gapMs = 150, firstMs = 0, keys } = {}) {
  const fake = { requests: [], calls: [], mode: "ok", firstMs };
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const json = (status, error) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error }));
    };
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      json(404, { message: "not found", type: "invalid_request_error" });
      return;
    }
    const body = JSON.parse(raw);
    const call = { headers: req.headers, body, status: 200, usage: null };
    fake.requests.push(body);
    fake.calls.push(call);
    const given = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (keys && !keys.includes(given)) {
      call.status = 401;
      json(401, { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" });
      return;
    }
    if (fake.mode === "close") {
      call.status = 0;
      req.socket.destroy();
      return;
    }
    if (fake.mode === "error500") {
      call.status = 500;
      json(500, { message: "The server had an error while processing your request.", type: "server_error" });
      return;
    }
    res.on("close", () => {
      if (!res.writableEnded) call.aborted = Date.now();
    });
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const chunk = (choices, extra = {}) =>
      `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices, ...extra })}\n\n`;
    const pieces = reply(body);
    res.write(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    await new Promise((resolve) => setTimeout(resolve, fake.firstMs));
    for (const piece of pieces) {
      if (res.destroyed) return;
      res.write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    res.write(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
    call.usage = { prompt_tokens: 120, completion_tokens: pieces.length, total_tokens: 120 + pieces.length };
    res.write(chunk([], { usage: call.usage }));
    res.end("data: [DONE]\n\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  fake.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return fake;
}

/** The numbered knowledge passages ("[n] title" lines) in a chat request's messages. */
export function passageCount(body) {
  const text = body.messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n");
  return new Set([...text.matchAll(/^\[(\d+)\] /gm)].map((m) => m[1])).size;
}
