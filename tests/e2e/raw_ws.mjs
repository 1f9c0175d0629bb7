// A raw WebSocket client over node:net for conformance tests (RFC 6455): it performs the opening
// handshake itself and writes frames byte for byte as a test spells them (any flags, opcode,
// length form, mask, fragmentation, chopping), and records every server frame as parsed from the
// wire, so tests can assert what a library client would hide or refuse to send.
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 section 1.3

export const Op = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa };

/**
 * One client frame as bytes (RFC 6455 section 5.2). `payload` is a Buffer or a string (UTF-8);
 * `rsv` the RSV1..3 bits as 0x40/0x20/0x10; `mask` false for an unmasked frame; `length` forces
 * the payload length field ("7", "16" or "64" bit form, or a number written as the 64-bit length
 * whatever the payload).
 */
export function frame(opcode, payload = Buffer.alloc(0), { fin = true, rsv = 0, mask = true, lengthForm, length } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
  const n = data.length;
  const form = length !== undefined ? "64" : lengthForm ?? (n < 126 ? "7" : n < 65536 ? "16" : "64");
  const maskBit = mask ? 0x80 : 0;
  let header;
  if (form === "7") {
    header = Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, maskBit | n]);
  } else if (form === "16") {
    header = Buffer.alloc(4);
    header[1] = maskBit | 126;
    header.writeUInt16BE(n, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length ?? n), 2);
  }
  header[0] = (fin ? 0x80 : 0) | rsv | opcode;
  if (!mask) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(n);
  for (let i = 0; i < n; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([header, key, masked]);
}

/** The payload of a close frame: a 2-byte code and a reason (RFC 6455 section 5.5.1). */
export function closePayload(code, reason = Buffer.alloc(0)) {
  const r = Buffer.isBuffer(reason) ? reason : Buffer.from(reason, "utf8");
  const out = Buffer.alloc(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

export class RawWs {
  /**
   * Opens a TCP connection to `baseUrl` (http://host:port) and performs the opening handshake
   * for `/ws?token=…` (`headers` override or add request headers). Resolves with a RawWs after
   * a 101 whose Sec-WebSocket-Accept is right; rejects with err.status / err.headers otherwise.
   */
  static connect(baseUrl, token, { headers = {}, timeoutMs = 5000 } = {}) {
    const url = new URL(baseUrl);
    const key = randomBytes(16).toString("base64");
    const request = {
      Host: url.host,
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": key,
      "Sec-WebSocket-Version": "13",
      ...headers,
    };
    const target = token === undefined ? "/ws" : `/ws?token=${encodeURIComponent(token)}`;
    const lines = [`GET ${target} HTTP/1.1`];
    for (const [k, v] of Object.entries(request)) if (v !== null) lines.push(`${k}: ${v}`);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      socket.setNoDelay(true);
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error("handshake timed out"));
      }, timeoutMs);
      const onData = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        clearTimeout(timer);
        socket.off("data", onData);
        const [statusLine, ...headerLines] = head.subarray(0, end).toString("latin1").split("\r\n");
        const status = Number(statusLine.split(" ")[1]);
        const h = {};
        for (const line of headerLines) {
          const colon = line.indexOf(":");
          h[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        if (status !== 101) {
          socket.destroy();
          const err = new Error(`upgrade refused: ${statusLine}`);
          err.status = status;
          err.headers = h;
          return reject(err);
        }
        const expected = createHash("sha1").update(key + GUID).digest("base64");
        if (h["sec-websocket-accept"] !== expected) {
          socket.destroy();
          return reject(new Error(`bad Sec-WebSocket-Accept: ${h["sec-websocket-accept"]}`));
        }
        resolve(new RawWs(socket, head.subarray(end + 4), h));
      };
      socket.on("data", onData);
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.write(lines.join("\r\n") + "\r\n\r\n");
    });
  }

  constructor(socket, rest, headers) {
    this.socket = socket;
    this.headers = headers;
    this.buffer = Buffer.alloc(0);
    this.frames = []; // every server frame: {fin, rsv, opcode, masked, payload}
    this.read = 0; // frames consumed by next()
    this.tcpClosed = false;
    this.waiters = [];
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", () => {}); // a reset after the server closes is expected in some cases
    socket.on("close", () => {
      this.tcpClosed = true;
      this.wake();
    });
    if (rest.length) this.onData(rest);
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b[1] & 0x80) !== 0;
      if (masked) off += 4;
      if (b.length < off + len) break;
      let payload = Buffer.from(b.subarray(off, off + len));
      if (masked) {
        const key = b.subarray(off - 4, off);
        payload = Buffer.from(payload.map((x, i) => x ^ key[i & 3]));
      }
      this.frames.push({ fin: (b[0] & 0x80) !== 0, rsv: b[0] & 0x70, opcode: b[0] & 0x0f, masked, payload });
      this.buffer = b.subarray(off + len);
    }
    this.wake();
  }

  wake() {
    this.waiters = this.waiters.filter((w) => !w());
  }

  /** Resolves when `predicate()` is truthy (checked on every frame / TCP close), else rejects. */
  until(predicate, ms, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value) {
          clearTimeout(timer);
          resolve(value);
        }
        return Boolean(value);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; frames: ${this.describe()}`));
      }, ms);
      if (!check()) this.waiters.push(check);
    });
  }

  describe() {
    return JSON.stringify(this.frames.map((f) => ({ op: f.opcode, fin: f.fin, payload: f.payload.toString("utf8").slice(0, 200) }))).slice(0, 2000);
  }

  /** Writes raw bytes (one TCP write unless `chopMs` is set: then one byte per write). */
  async send(bytes, { chopMs } = {}) {
    if (chopMs === undefined) {
      this.socket.write(bytes);
      return;
    }
    for (const byte of bytes) {
      this.socket.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, chopMs));
    }
  }

  sendFrame(opcode, payload, options) {
    return this.send(frame(opcode, payload, options));
  }

  sendJson(value) {
    return this.send(frame(Op.TEXT, JSON.stringify(value)));
  }

  /** The next server frame not yet returned by next() (within `ms`). */
  async next(ms = 5000) {
    const f = await this.until(() => this.frames[this.read], ms, "a frame");
    this.read++;
    return f;
  }

  /** The next data frame parsed as JSON; control frames before it are skipped. */
  async nextJson(ms = 5000) {
    for (;;) {
      const f = await this.next(ms);
      if (f.opcode === Op.TEXT) return JSON.parse(f.payload.toString("utf8"));
      if (f.opcode === Op.CLOSE) throw new Error(`closed (${closeInfo(f).code}) while waiting for JSON`);
    }
  }

  /** The server's close frame: {code, reason, frame} (code undefined for an empty payload). */
  async closeFrame(ms = 5000) {
    const f = await this.until(() => this.frames.find((x) => x.opcode === Op.CLOSE), ms, "a close frame");
    return { ...closeInfo(f), frame: f };
  }

  /** Resolves once the server has closed the TCP connection. */
  tcpClose(ms = 5000) {
    return this.until(() => this.tcpClosed, ms, "the TCP connection to close");
  }

  /** Frames received so far with `opcode`. */
  ofType(opcode) {
    return this.frames.filter((f) => f.opcode === opcode);
  }

  destroy() {
    this.socket.destroy();
  }
}

function closeInfo(f) {
  if (f.payload.length < 2) return { code: undefined, reason: "" };
  return { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString("utf8") };
}
