// Socket.IO 4 peer of the BotFactory gateway for bench/run_ingest.sh (docs/benchmarks.md, "Chat
// ingest vs peers"). One replica per process; replicas share Redis through
// @socket.io/redis-adapter, rooms = conversations, nothing is stored.
//   node server.mjs PORT REDIS_PORT [REDIS_HOST]
// Events (the gateway's JSON protocol mapped onto Socket.IO events, docs/protocol.md):
//   conversation.join {conversation_id}        → joins room conversation_id, answers
//                                                 conversation.joined {conversation_id, last_seq: 0}
//   message.send {conversation_id, client_id, seq, text}
//                                              → message.new {conversation_id, seq, text, client_id}
//                                                 to the room on every replica, then
//                                                 message.ack {client_id} to the sender
// seq is the sender's (one sender per conversation in the benchmark): the peer allocates nothing.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const [portText, redisPortText, redisHost = "127.0.0.1"] = process.argv.slice(2);
const port = Number.parseInt(portText ?? "", 10);
const redisPort = Number.parseInt(redisPortText ?? "", 10);
if (!(port > 0) || !(redisPort > 0)) {
  console.error("usage: node server.mjs PORT REDIS_PORT [REDIS_HOST]");
  process.exit(2);
}

const pub = createClient({ socket: { host: redisHost, port: redisPort } });
const sub = pub.duplicate();
pub.on("error", (e) => console.error("socketio-peer: redis:", e.message));
sub.on("error", (e) => console.error("socketio-peer: redis:", e.message));
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer((req, res) => {
  res.writeHead(req.url === "/readyz" ? 200 : 404, { "content-type": "text/plain" });
  res.end(req.url === "/readyz" ? "ok\n" : "not found\n");
});
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  maxHttpBufferSize: 64 * 1024,
  adapter: createAdapter(pub, sub),
});

io.on("connection", (socket) => {
  socket.on("conversation.join", (body) => {
    const id = typeof body?.conversation_id === "string" ? body.conversation_id : "";
    if (!id) return socket.emit("error", { code: "invalid_argument", message: "conversation_id" });
    socket.join(id);
    socket.emit("conversation.joined", { conversation_id: id, last_seq: 0 });
  });
  socket.on("message.send", (body) => {
    const id = typeof body?.conversation_id === "string" ? body.conversation_id : "";
    if (!id || !socket.rooms.has(id)) {
      return socket.emit("error", { code: "permission_denied", client_id: body?.client_id ?? "" });
    }
    io.to(id).emit("message.new", {
      conversation_id: id,
      seq: body.seq,
      text: body.text,
      client_id: body.client_id,
    });
    socket.emit("message.ack", { client_id: body.client_id });
  });
});

http.listen(port, "127.0.0.1", () => console.error(`socketio-peer: listening on 127.0.0.1:${port}`));
const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
