// Test harness: builds Hearth from this checkout, runs it on a data
// directory, kills and restarts it, and calls its REST API as the admin.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { userSig } from "./usersig.js";
import { NodeWebSocket } from "./ws-node.js";
import type { WebSocketConstructor } from "../src/index.js";

export const SDKAPPID = 1400000009;

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, "go.mod"))) {
    const up = dirname(d);
    if (up === d) throw new Error("no go.mod above " + fileURLToPath(import.meta.url));
    d = up;
  }
  return d;
}

export class Hearth {
  readonly dir = mkdtempSync(join(tmpdir(), "hearth-sdk-"));
  readonly bin = join(this.dir, "hearth");
  readonly data = join(this.dir, "data");
  readonly secretKey = randomBytes(32).toString("hex");
  addr = "";
  private proc: ChildProcess | undefined;
  private adminSig = "";

  /** Builds the binary and starts it on a free port. */
  async start(): Promise<void> {
    const go = existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
    execFileSync(go, ["build", "-o", this.bin, "./cmd/hearth"], { cwd: repoRoot(), stdio: "inherit", env: { ...process.env, GOFLAGS: process.env.GOFLAGS ?? "-buildvcs=false" } });
    this.adminSig = this.sig("administrator");
    await this.launch("127.0.0.1:0");
  }

  /** Starts the server again on the same data directory and address. */
  async restart(): Promise<void> {
    await this.launch(this.addr);
  }

  private launch(addr: string): Promise<void> {
    const p = spawn(this.bin, ["serve", "--addr", addr, "--data", this.data, "--sdkappid", String(SDKAPPID), "--secret-key", this.secretKey, "--rate-limit", "off"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc = p;
    let err = "";
    p.stderr!.on("data", (d) => (err = (err + d).slice(-4000)));
    return new Promise((resolve, reject) => {
      let out = "";
      const t = setTimeout(() => reject(new Error("hearth did not start in 20 s: " + err)), 20_000);
      p.stdout!.on("data", (d) => {
        out += d;
        const m = /listening on http:\/\/(\S+)/.exec(out);
        if (m && !this.addr.startsWith(m[1]!)) this.addr = m[1]!;
        if (m) {
          clearTimeout(t);
          resolve();
        }
      });
      p.on("exit", (code, sig) => {
        clearTimeout(t);
        reject(new Error(`hearth exited (${code ?? sig}) before listening: ${err}`));
      });
    });
  }

  /** SIGKILL: no shutdown of any kind. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
  }

  async stop(): Promise<void> {
    await this.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get wsURL(): string {
    return `ws://${this.addr}/v1/ws`;
  }

  sig(identifier: string): string {
    return userSig(SDKAPPID, this.secretKey, identifier);
  }

  /** Calls a REST API as the admin; throws unless ErrorCode is 0. */
  async rest(api: string, body: unknown): Promise<Record<string, any>> {
    const url = `http://${this.addr}/v4/${api}?sdkappid=${SDKAPPID}&identifier=administrator&usersig=${encodeURIComponent(this.adminSig)}&random=${Math.floor(Math.random() * 1e9)}&contenttype=json`;
    const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
    const j = (await res.json()) as Record<string, any>;
    if (j.ErrorCode !== 0) throw new Error(`${api}: ${j.ErrorCode} ${j.ErrorInfo}`);
    return j;
  }

  async importAccounts(...ids: string[]): Promise<void> {
    await this.rest("im_open_login_svc/multiaccount_import", { Accounts: ids });
  }

  /** A community with one topic, owned by owner, with members. */
  async community(owner: string, members: string[], topicName = "general"): Promise<{ groupId: string; topicId: string }> {
    const g = await this.rest("group_open_http_svc/create_group", { Owner_Account: owner, Type: "Community", Name: "c" + Date.now() % 100000, SupportTopic: 1 });
    const groupId = g.GroupId as string;
    const t = await this.rest("million_group_open_http_svc/create_topic", { GroupId: groupId, TopicName: topicName });
    if (members.length) await this.rest("group_open_http_svc/add_group_member", { GroupId: groupId, MemberList: members.map((m) => ({ Member_Account: m })) });
    return { groupId, topicId: t.TopicId as string };
  }

  /** A classic Public group. */
  async group(owner: string, members: string[]): Promise<string> {
    const g = await this.rest("group_open_http_svc/create_group", { Owner_Account: owner, Type: "Public", Name: "g" + Date.now() % 100000 });
    if (members.length) await this.rest("group_open_http_svc/add_group_member", { GroupId: g.GroupId, MemberList: members.map((m) => ({ Member_Account: m })) });
    return g.GroupId as string;
  }

  /** send_group_msg as from (into topicId when given). */
  async sendREST(from: string, groupId: string, topicId: string | undefined, text: string): Promise<number> {
    const body: Record<string, unknown> = { GroupId: groupId, From_Account: from, Random: Math.floor(Math.random() * 2 ** 32), MsgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: text } }] };
    if (topicId) body.TopicId = topicId;
    const r = await this.rest("group_open_http_svc/send_group_msg", body);
    return r.MsgSeq as number;
  }
}

/** A WebSocket constructor the test controls: offline refuses connections; drop loses incoming frames; sockets are the ones made. */
export class Network {
  offline = false;
  drop: ((frame: string) => boolean) | undefined;
  readonly sockets: NodeWebSocket[] = [];

  get WebSocket(): WebSocketConstructor {
    const net = this;
    return class extends NodeWebSocket {
      constructor(url: string) {
        super(net.offline ? "ws://127.0.0.1:1/v1/ws" : url);
        this.dropIncoming = (f) => net.drop?.(f) ?? false;
        net.sockets.push(this);
      }
    };
  }

  /** Cuts the current connection (no close frame). */
  cut(): void {
    for (const s of this.sockets) if (s.readyState <= 1) s.terminate();
  }
}

export function text(t: string) {
  return [{ MsgType: "TIMTextElem", MsgContent: { Text: t } }];
}

/** Waits until pred holds (polling), or fails with what. */
export async function waitFor(what: string, pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
