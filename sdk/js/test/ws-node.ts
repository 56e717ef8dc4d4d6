// A tiny WebSocket client over node:http's upgrade, with the browser
// surface the SDK uses (Node 20 has no global WebSocket). Text frames,
// fragmentation, ping/pong and close; for the tests only.
import { request } from "node:http";
import { randomBytes, createHash } from "node:crypto";
import type { Socket } from "node:net";

type Handler<T> = ((ev: T) => void) | null;

export class NodeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readyState = 0;
  onopen: Handler<unknown> = null;
  onmessage: Handler<{ data: unknown }> = null;
  onclose: Handler<{ code: number; reason: string }> = null;
  onerror: Handler<unknown> = null;
  readonly url: string;
  /** Tests: a frame for which this returns true is dropped as if lost. */
  dropIncoming: ((data: string) => boolean) | undefined;
  private sock: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closeSent = false;
  private closedFired = false;

  constructor(url: string) {
    this.url = url;
    const u = new URL(url);
    const key = randomBytes(16).toString("base64");
    const req = request({
      host: u.hostname,
      port: u.port || 80,
      path: u.pathname + u.search,
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key },
    });
    req.on("upgrade", (res, sock, head) => {
      const want = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
      if (res.headers["sec-websocket-accept"] !== want) {
        sock.destroy();
        this.fireClose(1006, "bad accept");
        return;
      }
      this.sock = sock;
      sock.setNoDelay(true);
      sock.on("data", (d: Buffer) => this.onData(d));
      sock.on("close", () => this.fireClose(1006, ""));
      sock.on("error", () => {});
      this.readyState = 1;
      this.onopen?.({});
      if (head.length) this.onData(head);
    });
    req.on("response", (res) => {
      res.resume();
      this.fireClose(1006, `HTTP ${res.statusCode}`);
    });
    req.on("error", (err) => {
      this.onerror?.(err);
      this.fireClose(1006, String(err));
    });
    req.end();
  }

  send(data: string): void {
    if (this.readyState !== 1 || !this.sock) throw new Error("not open");
    this.writeFrame(0x1, Buffer.from(data, "utf8"));
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    if (this.sock && !this.closeSent) {
      const r = Buffer.from(reason, "utf8");
      const p = Buffer.alloc(2 + r.length);
      p.writeUInt16BE(code, 0);
      r.copy(p, 2);
      this.writeFrame(0x8, p);
      this.closeSent = true;
      setTimeout(() => this.sock?.destroy(), 1000).unref();
    } else {
      this.fireClose(code, reason);
    }
  }

  /** Ends the TCP connection without a close frame (a network failure). */
  terminate(): void {
    this.sock?.destroy();
    this.fireClose(1006, "terminated");
  }

  private writeFrame(op: number, payload: Buffer): void {
    const mask = randomBytes(4);
    const len = payload.length;
    let head: Buffer;
    if (len < 126) {
      head = Buffer.from([0x80 | op, 0x80 | len]);
    } else if (len < 65536) {
      head = Buffer.alloc(4);
      head[0] = 0x80 | op;
      head[1] = 0x80 | 126;
      head.writeUInt16BE(len, 2);
    } else {
      head = Buffer.alloc(10);
      head[0] = 0x80 | op;
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    const body = Buffer.alloc(len);
    for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
    this.sock?.write(Buffer.concat([head, mask, body]));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (b1 & 0x80) off += 4; // servers do not mask; tolerate it anyway
      if (this.buf.length < off + len) return;
      let payload: Buffer = this.buf.subarray(off, off + len);
      if (b1 & 0x80) {
        const m = this.buf.subarray(off - 4, off);
        payload = Buffer.from(payload.map((x, i) => x ^ m[i & 3]!));
      }
      this.buf = this.buf.subarray(off + len);
      const fin = (b0 & 0x80) !== 0;
      const op = b0 & 0x0f;
      if (op === 0x9) {
        this.writeFrame(0xa, Buffer.from(payload));
      } else if (op === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.subarray(2).toString("utf8");
        if (!this.closeSent) {
          this.writeFrame(0x8, Buffer.from(payload.subarray(0, 2)));
          this.closeSent = true;
        }
        this.sock?.end();
        this.fireClose(code, reason);
        return;
      } else if (op === 0x1 || op === 0x2 || op === 0x0) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const all = Buffer.concat(this.fragments);
          this.fragments = [];
          const text = all.toString("utf8");
          if (this.readyState === 1 && !this.dropIncoming?.(text)) this.onmessage?.({ data: text });
        }
      }
    }
  }

  private fireClose(code: number, reason: string): void {
    if (this.closedFired) return;
    this.closedFired = true;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}
