// A fake OpenAI-compatible chat server for the end-to-end tests: `POST /v1/chat/completions`
// with `stream: true` answers Server-Sent Events the way api.openai.com does (one
// `chat.completion.chunk` per piece with `choices[0].delta.content`, a usage chunk, `data: [DONE]`;
// https://platform.openai.com/docs/api-reference/chat-streaming): the first piece after
// `firstMs`, then one every `gapMs`.
import http from "node:http";

/**
 * Starts the fake on a free loopback port. `reply(request)` gets the parsed request body and
 * returns the pieces of the answer (strings). Resolves to {url (the base URL for
 * OPENAI_BASE_URL), requests (bodies received), close()}.
 */
export async function startFakeOpenAi({ reply, gapMs = 150, firstMs = 0 }) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } }));
      return;
    }
    const body = JSON.parse(raw);
    requests.push(body);
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const chunk = (choices, extra = {}) =>
      `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: body.model, choices, ...extra })}\n\n`;
    const pieces = reply(body);
    await new Promise((resolve) => setTimeout(resolve, firstMs));
    for (const piece of pieces) {
      if (res.destroyed) return;
      res.write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    res.write(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
    res.write(chunk([], { usage: { prompt_tokens: 120, completion_tokens: pieces.length, total_tokens: 120 + pieces.length } }));
    res.end("data: [DONE]\n\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** The numbered knowledge passages ("[n] title" lines) in a chat request's messages. */
export function passageCount(body) {
  const text = body.messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n");
  return new Set([...text.matchAll(/^\[(\d+)\] /gm)].map((m) => m[1])).size;
}
