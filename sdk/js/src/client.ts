import { Emitter } from "./emitter.js";
import { ConnectionClosedError, HearthError, TimeoutError } from "./errors.js";
import { PeerStream, SeqStream, streamKey } from "./streams.js";
import type {
  Ack,
  Conversation,
  EventFrame,
  ExtOk,
  Frame,
  KickedFrame,
  LoginOk,
  MessageFrame,
  MessageRef,
  MsgElem,
  Platform,
  Presence,
  PresenceUpdateFrame,
  ReadState,
  SyncStream,
  Target,
} from "./types.js";
import { UnreadView } from "./unread.js";

/** What the client needs of a WebSocket: the browser's (and Node 22's) global one has it. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor: globalThis.WebSocket, or any class with the same surface. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** How the client reconnects: delay = min(maxDelayMs, initialDelayMs * factor^attempt), less up to jitter of it at random. */
export interface ReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** 0..1: the share of each delay taken off at random (0.5: between half the delay and all of it). */
  jitter?: number;
}

export interface ClientOptions {
  /** ws://host/v1/ws (wss:// behind TLS). */
  url: string;
  sdkAppID: number;
  identifier: string;
  /** The UserSig, or a function that gets a fresh one (called before every login). */
  userSig: string | (() => string | Promise<string>);
  platform?: Platform;
  /** The WebSocket to use; globalThis.WebSocket when absent. */
  WebSocket?: WebSocketConstructor;
  /** How long a request waits for its answer (default 10 s). */
  requestTimeoutMs?: number;
  /** false: no automatic reconnect. */
  reconnect?: ReconnectOptions | false;
  /** How often the client pings to notice a dead connection (default 25 s; 0: never). */
  pingIntervalMs?: number;
  /** Positions to resume from (what positions() returned before): streams' last applied seq and peers' last time. */
  positions?: Positions;
  /** Random number source in [0, 1) for jitter (tests). */
  random?: () => number;
}

/** The client's resume positions, to persist and hand back as ClientOptions.positions. */
export interface Positions {
  streams: { group_id: string; topic_id?: string; last_seq: number }[];
  peers: { peer: string; last_time: number }[];
}

export type ConnectionState = "idle" | "connecting" | "online" | "reconnecting" | "closed";

/** A gap the client gave up filling (the server did not replay those seqs after repeated syncs). */
export interface Gap {
  group_id: string;
  topic_id?: string;
  from: number;
  to: number;
}

export interface ClientEvents {
  /** A message, in seq order per stream, never twice, never past a gap. */
  message: (m: MessageFrame) => void;
  /** An event frame (edits, recalls, reactions, read positions, topic and membership changes, conversation changes). */
  event: (e: EventFrame) => void;
  /** The session was ended by a kick or an account deletion: the client stops. */
  kicked: (k: KickedFrame) => void;
  /** Statuses of followed users that changed. */
  presence_update: (p: PresenceUpdateFrame) => void;
  /** A stream's read state changed in the local unread view. */
  unread: (s: ReadState) => void;
  /** The connection state changed. */
  state: (s: ConnectionState) => void;
  /** A (re)connection logged in and caught up: every known stream was synced. */
  resumed: (info: { reconnect: boolean }) => void;
  gap: (g: Gap) => void;
  /** An error frame no request waited for, a failed resume, or a login refused while reconnecting. */
  error: (err: Error) => void;
}

interface Pending {
  frame: Frame;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Safe to send again after a reconnect (idempotent, or a send deduplicated by its random). */
  retry: boolean;
  /** The socket it was written to (undefined: queued). */
  sentOn: WebSocketLike | undefined;
  /** Sent only on this socket (login), never queued. */
  pinned: boolean;
}

const OPEN = 1;

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE = new Set([4001, 1003, 1007]);

/**
 * A Hearth client: one logged-in WebSocket session, reconnected with
 * backoff and resumed by sequence.
 */
export class Client extends Emitter<ClientEvents> {
  private readonly opts: ClientOptions;
  private readonly WS: WebSocketConstructor;
  private readonly timeoutMs: number;
  private readonly rnd: () => number;
  private ws: WebSocketLike | undefined;
  private nextId = 0;
  private pending = new Map<string, Pending>();
  private streams = new Map<string, SeqStream>();
  private peers = new Map<string, PeerStream>();
  private syncing = new Map<string, { startLast: number | undefined }>();
  private view = new UnreadView();
  private presenceFollow: { users?: string[]; groupId?: string } | undefined;
  private _state: ConnectionState = "idle";
  private attempt = 0;
  private everLoggedIn = false;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private firstConnect: { resolve: (l: LoginOk) => void; reject: (e: Error) => void } | undefined;
  private login: LoginOk | undefined;

  constructor(opts: ClientOptions) {
    super();
    this.opts = opts;
    const WS = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error("hearth: no WebSocket: pass ClientOptions.WebSocket (Node 20 has no global one)");
    this.WS = WS;
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.rnd = opts.random ?? Math.random;
    for (const s of opts.positions?.streams ?? []) this.streams.set(streamKey(s.group_id, s.topic_id), new SeqStream(s.group_id, s.topic_id, s.last_seq));
    for (const p of opts.positions?.peers ?? []) this.peers.set(p.peer, new PeerStream(p.peer, p.last_time));
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this._state;
  }

  /** The user this client logs in as. */
  get identifier(): string {
    return this.opts.identifier;
  }

  /**
   * Connects and logs in; resolves once logged in and resumed. It rejects
   * when the first attempt fails (bad UserSig, server unreachable): after a
   * first success the client reconnects by itself.
   */
  connect(): Promise<LoginOk> {
    if (this._state !== "idle") return Promise.reject(new Error(`hearth: connect in state ${this._state}`));
    return new Promise<LoginOk>((resolve, reject) => {
      this.firstConnect = { resolve, reject };
      this.open();
    });
  }

  /** Closes the connection for good: pending requests reject, no reconnect. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.stopPing();
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, "client closed");
      } catch {
        /* already closed */
      }
    }
    this.rejectAll(() => true, new ConnectionClosedError("client closed"));
    this.firstConnect?.reject(new ConnectionClosedError("client closed"));
    this.firstConnect = undefined;
    this.setState("closed");
  }

  // ---- requests ----

  /** Sends a message into a group (or topic), or to a user; resolves with the ack. Retried across reconnects with the same random (the server answers the first message's seq). */
  send(target: Target, body: MsgElem[], options: { random?: number; extensible?: boolean } = {}): Promise<Ack> {
    const f: Frame = { type: "send", ...targetFields(target), random: options.random ?? randomU32(), msg_body: body };
    if (options.extensible) f.extensible = true;
    return this.request(f, true) as Promise<Ack & Frame>;
  }

  /** Marks a stream read up to seq (0: its newest) or a one-to-one conversation up to time; resolves with the stream's state. */
  async read(target: Target, upTo: { seq?: number; time?: number } = {}): Promise<ReadState> {
    const f: Frame = { type: "read", ...targetFields(target) };
    if (upTo.seq) f.seq = upTo.seq;
    if (upTo.time) f.time = upTo.time;
    const ans = await this.request(f, true);
    this.mergeReads(ans.reads ?? []);
    const r = ans.reads?.[0];
    if (!r) throw new Error("hearth: read_ok without a read state");
    return r;
  }

  /** Every stream's read state from the server (also replaces the local view's). */
  async unread(): Promise<ReadState[]> {
    const ans = await this.request({ type: "unread" }, true);
    const reads = ans.reads ?? [];
    this.mergeReads(reads);
    return reads;
  }

  /** Asks the server to replay what follows each stream's position; the messages arrive as message events (through the seq rule). */
  async sync(streams: SyncStream[]): Promise<ReadState[]> {
    const ans = await this.request({ type: "sync", streams }, true);
    this.mergeReads(ans.reads ?? []);
    return ans.reads ?? [];
  }

  /** A page of the conversation list; cursor from the previous page (undefined after the last). */
  async conversations(cursor?: string): Promise<{ conversations: Conversation[]; cursor?: string }> {
    const f: Frame = { type: "conversations" };
    if (cursor) f.cursor = cursor;
    const ans = await this.request(f, true);
    return ans.cursor ? { conversations: ans.conversations ?? [], cursor: ans.cursor } : { conversations: ans.conversations ?? [] };
  }

  /** Replaces the body of one of the user's own messages. */
  edit(ref: MessageRef, body: MsgElem[]): Promise<Ack> {
    return this.request({ type: "edit", ...refFields(ref), msg_body: body }, false) as Promise<Ack & Frame>;
  }

  /** Recalls a message (one's own, or another member's where the permission engine allows). */
  recall(ref: MessageRef): Promise<Ack> {
    return this.request({ type: "recall", ...refFields(ref) }, false) as Promise<Ack & Frame>;
  }

  /** Sets a key of a message's extension if its seq is still extSeq (0: a new key); 23001 (HearthError.data: the key as stored) when another writer was first. */
  extSet(ref: MessageRef, key: string, value: string, extSeq = 0): Promise<ExtOk> {
    return this.request({ type: "ext_set", ...refFields(ref), key, value, ext_seq: extSeq }, false) as Promise<ExtOk & Frame>;
  }

  /** Removes a key of a message's extension if its seq is still extSeq. */
  extRemove(ref: MessageRef, key: string, extSeq: number): Promise<ExtOk> {
    return this.request({ type: "ext_remove", ...refFields(ref), key, ext_seq: extSeq }, false) as Promise<ExtOk & Frame>;
  }

  /** A page of a group's online members; cursor from the previous page (undefined after the last). */
  async presence(groupId: string, cursor?: string): Promise<{ statuses: Presence[]; cursor?: string }> {
    const f: Frame = { type: "presence", group_id: groupId };
    if (cursor) f.cursor = cursor;
    const ans = await this.request(f, true);
    return ans.cursor ? { statuses: ans.statuses ?? [], cursor: ans.cursor } : { statuses: ans.statuses ?? [] };
  }

  /** Follows users and/or a small group's members (replacing what was followed; nothing: stop); followed again after every reconnect. */
  async presenceSubscribe(follow: { users?: string[]; groupId?: string }): Promise<Presence[]> {
    const ans = await this.request(subscribeFrame(follow), true);
    this.presenceFollow = (follow.users?.length ?? 0) > 0 || follow.groupId ? follow : undefined;
    return ans.statuses ?? [];
  }

  /** Round-trips a ping; resolves with the server's time. */
  async ping(): Promise<number> {
    const ans = await this.request({ type: "ping" }, true);
    return ans.server_time ?? 0;
  }

  // ---- local state ----

  /** The local unread view: one stream's state. */
  unreadOf(target: Target): ReadState | undefined {
    return "to" in target ? this.view.get({ peer: target.to }) : this.view.get({ group_id: target.groupId, topic_id: target.topicId });
  }

  /** The local unread view: every stream's state. */
  unreadStates(): ReadState[] {
    return this.view.all();
  }

  /** The local unread count of a group (a community's: its own stream and all topics), or of everything. */
  unreadTotal(groupId?: string): number {
    return this.view.total(groupId);
  }

  /** The last seq applied of a stream (undefined: not known yet). */
  lastSeq(groupId: string, topicId?: string): number | undefined {
    return this.streams.get(streamKey(groupId, topicId))?.last;
  }

  /** Resume positions to persist (ClientOptions.positions). */
  positions(): Positions {
    const streams: Positions["streams"] = [];
    for (const s of this.streams.values()) {
      if (s.last === undefined) continue;
      streams.push(s.topicId ? { group_id: s.groupId, topic_id: s.topicId, last_seq: s.last } : { group_id: s.groupId, last_seq: s.last });
    }
    const peers = [...this.peers.values()].map((p) => ({ peer: p.peer, last_time: p.lastTime }));
    return { streams, peers };
  }

  // ---- connection ----

  private setState(s: ConnectionState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit("state", s);
  }

  private open(): void {
    if (this.stopped) return;
    this.setState(this.everLoggedIn ? "reconnecting" : "connecting");
    let ws: WebSocketLike;
    try {
      ws = new this.WS(this.opts.url);
    } catch (err) {
      this.onDown(undefined, 0, String(err));
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      void this.loginOn(ws);
    };
    ws.onmessage = (ev) => this.onFrame(ws, ev.data);
    ws.onerror = () => {
      /* onclose follows */
    };
    ws.onclose = (ev) => this.onDown(ws, ev.code, ev.reason);
  }

  private async loginOn(ws: WebSocketLike): Promise<void> {
    let sig: string;
    try {
      sig = typeof this.opts.userSig === "function" ? await this.opts.userSig() : this.opts.userSig;
    } catch (err) {
      this.fail(ws, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const f: Frame = { type: "login", sdkappid: this.opts.sdkAppID, identifier: this.opts.identifier, usersig: sig };
    if (this.opts.platform) f.platform = this.opts.platform;
    let ans: Frame;
    try {
      ans = await this.request(f, false, ws);
    } catch (err) {
      // The server closes with 1008 (or 1011) after the error frame.
      if (err instanceof HearthError) this.loginError = err;
      return;
    }
    if (ws !== this.ws) return;
    const reconnect = this.everLoggedIn;
    this.login = { identifier: ans.identifier ?? this.opts.identifier, server_time: ans.server_time ?? 0 };
    this.everLoggedIn = true;
    this.attempt = 0;
    this.loginError = undefined;
    this.setState("online");
    this.startPing(ws);
    // Requests made while offline, and retriable ones cut off, go out now.
    for (const p of this.pending.values()) {
      if (!p.sentOn && !p.pinned) this.write(ws, p);
    }
    try {
      await this.resume();
    } catch (err) {
      if (ws === this.ws) this.emit("error", err instanceof Error ? err : new Error(String(err)));
    }
    if (ws !== this.ws) return;
    const first = this.firstConnect;
    this.firstConnect = undefined;
    first?.resolve(this.login);
    this.emit("resumed", { reconnect });
  }

  private loginError: HearthError | undefined;

  /** After a login: badges, positions of new streams, a sync of every known stream, presence following. */
  private async resume(): Promise<void> {
    this.syncing.clear();
    const known: SyncStream[] = [];
    for (const s of this.streams.values()) {
      if (s.last === undefined) continue;
      known.push(s.topicId ? { group_id: s.groupId, topic_id: s.topicId, after_seq: s.last } : { group_id: s.groupId, after_seq: s.last });
    }
    for (const p of this.peers.values()) known.push({ peer: p.peer, after_time: p.lastTime });
    const reads = await this.unread();
    for (const r of reads) {
      if (r.peer || !r.group_id) continue;
      const s = this.stream(r.group_id, r.topic_id);
      const out = s.adopt(r.last_seq);
      for (const m of out) this.apply(m);
    }
    if (known.length > 0) {
      const tries = new Map<string, number | undefined>();
      for (const k of known) if (k.group_id) tries.set(streamKey(k.group_id, k.topic_id), k.after_seq);
      for (const [k, last] of tries) this.syncing.set(k, { startLast: last });
      try {
        await this.sync(known);
      } finally {
        for (const k of tries.keys()) this.syncing.delete(k);
      }
      for (const k of tries.keys()) this.afterSync(k, tries.get(k));
    }
    if (this.presenceFollow) await this.request(subscribeFrame(this.presenceFollow), true);
  }

  private startPing(ws: WebSocketLike): void {
    this.stopPing();
    const every = this.opts.pingIntervalMs ?? 25_000;
    if (every <= 0) return;
    this.pingTimer = setInterval(() => {
      if (ws !== this.ws) return;
      this.request({ type: "ping" }, false, ws).catch((err) => {
        if (err instanceof TimeoutError && ws === this.ws) {
          // A dead connection: drop it without waiting for the close.
          detach(ws);
          try {
            ws.close(4000, "ping timeout");
          } catch {
            /* gone */
          }
          this.onDown(ws, 1006, "ping timeout");
        }
      });
    }, every);
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private fail(ws: WebSocketLike, err: Error): void {
    detach(ws);
    try {
      ws.close(1000);
    } catch {
      /* gone */
    }
    this.loginError = err instanceof HearthError ? err : undefined;
    this.onDown(ws, 0, err.message, err);
  }

  /** The socket ws ended (or could not be opened). */
  private onDown(ws: WebSocketLike | undefined, code: number, reason: string, cause?: Error): void {
    if (ws && ws !== this.ws) return;
    if (ws) detach(ws);
    this.ws = undefined;
    this.stopPing();
    if (this.stopped) return;
    const closed = new ConnectionClosedError(`connection closed (${code}${reason ? " " + reason : ""})`, code);
    // Requests written to the socket that cannot be retried fail; the others wait for the next login.
    this.rejectAll((p) => p.pinned || (p.sentOn !== undefined && !p.retry), closed);
    for (const p of this.pending.values()) p.sentOn = undefined;
    const loginErr = this.loginError ?? cause;
    const refused = code === 1008;
    if (!this.everLoggedIn) {
      // The first connection failed: tell the caller, do not retry.
      this.stopped = true;
      this.rejectAll(() => true, loginErr ?? closed);
      this.firstConnect?.reject(loginErr ?? closed);
      this.firstConnect = undefined;
      this.setState("closed");
      return;
    }
    const sigRefreshes = typeof this.opts.userSig === "function";
    if (this.opts.reconnect === false || FATAL_CLOSE.has(code) || (refused && !sigRefreshes)) {
      this.stopped = true;
      this.rejectAll(() => true, loginErr ?? closed);
      if (loginErr) this.emit("error", loginErr);
      this.setState("closed");
      return;
    }
    if (loginErr) this.emit("error", loginErr);
    this.setState("reconnecting");
    const delay = this.backoff();
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  /** The next reconnect delay: exponential, capped, with jitter. */
  private backoff(): number {
    const o = this.opts.reconnect || {};
    const initial = o.initialDelayMs ?? 500;
    const max = o.maxDelayMs ?? 30_000;
    const factor = o.factor ?? 2;
    const jitter = Math.min(Math.max(o.jitter ?? 0.5, 0), 1);
    const base = Math.min(max, initial * Math.pow(factor, this.attempt));
    this.attempt++;
    return Math.round(base * (1 - jitter * this.rnd()));
  }

  private rejectAll(which: (p: Pending) => boolean, err: Error): void {
    for (const [id, p] of [...this.pending]) {
      if (!which(p)) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  /** Sends f and resolves with its answer; an error frame rejects with a HearthError. */
  private request(f: Frame, retry: boolean, on?: WebSocketLike): Promise<Frame> {
    if (this.stopped) return Promise.reject(new ConnectionClosedError("client closed"));
    const id = String(++this.nextId);
    const frame = { ...f, id };
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(f.type, this.timeoutMs));
      }, this.timeoutMs);
      const p: Pending = { frame, resolve, reject, timer, retry, sentOn: undefined, pinned: on !== undefined };
      this.pending.set(id, p);
      const ws = on ?? (this._state === "online" ? this.ws : undefined);
      if (ws) this.write(ws, p);
    });
  }

  private write(ws: WebSocketLike, p: Pending): void {
    if (ws.readyState !== OPEN) return;
    try {
      ws.send(JSON.stringify(p.frame));
      p.sentOn = ws;
    } catch {
      /* the close handler requeues it */
    }
  }

  // ---- incoming frames ----

  private onFrame(ws: WebSocketLike, data: unknown): void {
    if (ws !== this.ws) return;
    let f: Frame;
    try {
      f = JSON.parse(typeof data === "string" ? data : String(data)) as Frame;
    } catch {
      this.emit("error", new Error("hearth: a frame that is not JSON"));
      return;
    }
    if (f.id !== undefined && f.type !== "message") {
      const p = this.pending.get(f.id);
      if (p) {
        this.pending.delete(f.id);
        clearTimeout(p.timer);
        if (f.type === "error") {
          const err = HearthError.fromFrame(f);
          // The close that follows a refused login may come before the promise settles.
          if (p.frame.type === "login") this.loginError = err;
          p.reject(err);
        } else p.resolve(f);
        return;
      }
    }
    switch (f.type) {
      case "message":
        this.onMessage(f as MessageFrame);
        break;
      case "event":
        this.onEvent(f as EventFrame);
        break;
      case "kicked":
        this.emit("kicked", f as KickedFrame);
        break;
      case "presence_update":
        this.emit("presence_update", f as PresenceUpdateFrame);
        break;
      case "error":
        this.emit("error", HearthError.fromFrame(f));
        break;
    }
  }

  private stream(groupId: string, topicId?: string): SeqStream {
    const k = streamKey(groupId, topicId);
    let s = this.streams.get(k);
    if (!s) {
      s = new SeqStream(groupId, topicId);
      this.streams.set(k, s);
    }
    return s;
  }

  private onMessage(m: MessageFrame): void {
    if (!m.group_id) {
      const peer = m.from === this.opts.identifier ? m.to : m.from;
      if (!peer) return;
      let ps = this.peers.get(peer);
      if (!ps) {
        ps = new PeerStream(peer);
        this.peers.set(peer, ps);
      }
      if (ps.offer(m)) this.apply(m);
      return;
    }
    const s = this.stream(m.group_id, m.topic_id);
    const out = s.offer(m);
    for (const a of out.apply) this.apply(a);
    if (out.gap) this.fillGap(s);
  }

  private apply(m: MessageFrame): void {
    const st = this.view.message(m, this.opts.identifier);
    this.emit("message", m);
    if (st) this.emit("unread", st);
  }

  /** Syncs a stream with a held gap from its last applied seq (once at a time). */
  private fillGap(s: SeqStream): void {
    const k = streamKey(s.groupId, s.topicId);
    if (this.syncing.has(k) || this._state !== "online") return;
    const entry = { startLast: s.last };
    this.syncing.set(k, entry);
    const req: SyncStream = s.topicId ? { group_id: s.groupId, topic_id: s.topicId, after_seq: s.last ?? 0 } : { group_id: s.groupId, after_seq: s.last ?? 0 };
    this.sync([req]).then(
      () => {
        this.syncing.delete(k);
        this.afterSync(k, entry.startLast);
      },
      () => {
        // The connection dropped: the resume after the next login syncs it.
        this.syncing.delete(k);
      },
    );
  }

  private gapTries = new Map<string, number>();

  /** After a sync of stream k: a gap still open is synced again, and given up after three syncs that brought nothing. */
  private afterSync(k: string, startLast: number | undefined): void {
    const s = this.streams.get(k);
    if (!s || s.heldCount === 0) {
      this.gapTries.delete(k);
      return;
    }
    const progressed = s.last !== startLast;
    const tries = progressed ? 0 : (this.gapTries.get(k) ?? 0) + 1;
    this.gapTries.set(k, tries);
    if (tries >= 3) {
      this.gapTries.delete(k);
      const skipped = s.skipGap();
      if (skipped) {
        const g: Gap = s.topicId ? { group_id: s.groupId, topic_id: s.topicId, from: skipped.from, to: skipped.to } : { group_id: s.groupId, from: skipped.from, to: skipped.to };
        this.emit("gap", g);
        for (const m of skipped.apply) this.apply(m);
      }
      return;
    }
    setTimeout(() => {
      const cur = this.streams.get(k);
      if (cur && cur.heldCount > 0) this.fillGap(cur);
    }, progressed ? 0 : 200 * tries);
  }

  private onEvent(e: EventFrame): void {
    const d = (e.data ?? {}) as Record<string, unknown>;
    if (e.event === "message.read_position_set" && e.group_id) {
      this.emit("unread", this.view.readPositionSet(e.group_id, e.topic_id, Number(d.Seq ?? 0), Number(d.Unread ?? 0)));
    } else if (e.event === "message.c2c_read_set" && typeof d.Peer === "string") {
      this.emit("unread", this.view.c2cReadSet(d.Peer, Number(d.Time ?? 0), Number(d.Unread ?? 0)));
    }
    this.emit("event", e);
  }

  private mergeReads(reads: ReadState[]): void {
    for (const st of this.view.merge(reads)) this.emit("unread", st);
  }
}

function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
}

type Fields = Omit<Frame, "type">;

function targetFields(t: Target): Fields {
  if ("to" in t) return { to: t.to };
  return t.topicId ? { group_id: t.groupId, topic_id: t.topicId } : { group_id: t.groupId };
}

function refFields(r: MessageRef): Fields {
  if ("groupId" in r) return r.topicId ? { group_id: r.groupId, topic_id: r.topicId, seq: r.seq } : { group_id: r.groupId, seq: r.seq };
  if ("to" in r) return { to: r.to, msg_key: r.msgKey };
  return { from: r.from, msg_key: r.msgKey };
}

function subscribeFrame(follow: { users?: string[]; groupId?: string }): Frame {
  const f: Frame = { type: "presence_subscribe" };
  if (follow.users?.length) f.users = follow.users;
  if (follow.groupId) f.group_id = follow.groupId;
  return f;
}

function randomU32(): number {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 0x1_0000_0000) >>> 0;
}
