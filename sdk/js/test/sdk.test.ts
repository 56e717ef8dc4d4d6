// The SDK against a real Hearth built from this checkout.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Client, HearthError, type ClientOptions, type EventFrame, type MessageFrame } from "../src/index.js";
import { Hearth, Network, SDKAPPID, sleep, text, waitFor } from "./hearth.js";
import { userSig } from "./usersig.js";

const h = new Hearth();
const clients: Client[] = [];

before(async () => {
  await h.start();
  await h.importAccounts("alice", "bob", "carol");
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

after(async () => {
  await h.stop();
});

interface Tracked {
  c: Client;
  net: Network;
  msgs: MessageFrame[];
  events: EventFrame[];
}

async function connect(identifier: string, extra: Partial<ClientOptions> = {}): Promise<Tracked> {
  const net = new Network();
  const c = new Client({
    url: h.wsURL,
    sdkAppID: SDKAPPID,
    identifier,
    userSig: () => h.sig(identifier),
    platform: "Web",
    WebSocket: net.WebSocket,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    requestTimeoutMs: 15_000,
    ...extra,
  });
  clients.push(c);
  const t: Tracked = { c, net, msgs: [], events: [] };
  c.on("message", (m) => t.msgs.push(m));
  c.on("event", (e) => t.events.push(e));
  await c.connect();
  return t;
}

/** The seqs of one stream in the order the app saw them. */
function seqs(t: Tracked, groupId: string, topicId?: string): number[] {
  return t.msgs.filter((m) => m.group_id === groupId && (m.topic_id ?? "") === (topicId ?? "")).map((m) => m.seq!);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function bodyText(m: MessageFrame): string {
  return String(m.msg_body?.[0]?.MsgContent.Text ?? "");
}

test("login, send and receive between two users; error frames reject with their code", async () => {
  const { groupId, topicId } = await h.community("alice", ["bob"]);
  const alice = await connect("alice");
  const bob = await connect("bob");
  assert.equal(alice.c.state, "online");

  const ack = await alice.c.send({ groupId, topicId }, text("hello bob"));
  assert.equal(ack.seq, 1);
  await waitFor("bob hears alice", () => seqs(bob, groupId, topicId).length === 1);
  const got = bob.msgs.find((m) => m.topic_id === topicId)!;
  assert.equal(got.from, "alice");
  assert.equal(bodyText(got), "hello bob");
  await waitFor("alice hears her own message", () => seqs(alice, groupId, topicId).length === 1);
  assert.equal(bob.c.unreadOf({ groupId, topicId })?.unread, 1);
  assert.equal(alice.c.unreadOf({ groupId, topicId })?.unread, 0);

  const back = await bob.c.send({ groupId, topicId }, text("hi alice"));
  assert.equal(back.seq, 2);
  await waitFor("alice hears bob", () => seqs(alice, groupId, topicId).length === 2);

  // One-to-one.
  const c2c = await alice.c.send({ to: "bob" }, text("direct"));
  assert.ok(c2c.msg_key);
  await waitFor("bob gets the one-to-one message", () => bob.msgs.some((m) => m.msg_key === c2c.msg_key));
  assert.equal(bob.c.unreadOf({ to: "alice" })?.unread, 1);

  // Error frames: a stream of a group bob is not in; an unknown account.
  const other = await h.group("carol", []);
  await assert.rejects(bob.c.send({ groupId: other }, text("x")), (e: unknown) => e instanceof HearthError && e.code === 10007);
  await assert.rejects(bob.c.send({ to: "nobody-here" }, text("x")), (e: unknown) => e instanceof HearthError && e.code === 90012);
  // The session goes on.
  assert.ok((await bob.c.ping()) > 0);

  // A UserSig signed with another key: the login is refused with 70009 and the client stops.
  const bad = new Client({ url: h.wsURL, sdkAppID: SDKAPPID, identifier: "bob", userSig: userSig(SDKAPPID, randomBytes(32).toString("hex"), "bob"), WebSocket: new Network().WebSocket });
  clients.push(bad);
  await assert.rejects(bad.connect(), (e: unknown) => e instanceof HearthError && e.code === 70009);
  assert.equal(bad.state, "closed");
});

test("edit, recall, reactions, conversations, presence: answers and pushes", async () => {
  const { groupId, topicId } = await h.community("alice", ["bob"]);
  const alice = await connect("alice");
  const bob = await connect("bob", { platform: "Android" });

  const ack = await alice.c.send({ groupId, topicId }, text("v1"), { extensible: true });
  const ref = { groupId, topicId, seq: ack.seq! };
  const ed = await alice.c.edit(ref, text("v2"));
  assert.equal(ed.edited, true);
  await waitFor("bob hears the edit", () => bob.events.some((e) => e.event === "message.group_edited"));
  await assert.rejects(bob.c.edit(ref, text("not mine")), (e: unknown) => e instanceof HearthError && e.code === 10007);

  const set = await bob.c.extSet(ref, "👍", "bob", 0);
  assert.equal(set.key, "👍");
  assert.ok(set.ext_seq > 0);
  await waitFor("alice hears the reaction", () => alice.events.some((e) => e.event === "message.extension"));
  await assert.rejects(alice.c.extSet(ref, "👍", "alice", 0), (e: unknown) => e instanceof HearthError && e.code === 23001 && (e.data as { Seq: number }).Seq === set.ext_seq);
  const rm = await bob.c.extRemove(ref, "👍", set.ext_seq);
  assert.ok(rm.ext_seq > set.ext_seq);

  const conv = await bob.c.conversations();
  const item = conv.conversations.find((x) => x.group_id === groupId);
  assert.ok(item, "the community is in bob's conversation list");
  assert.equal(item.last?.seq, ack.seq);

  const online = await alice.c.presence(groupId);
  assert.deepEqual(online.statuses.find((s) => s.user === "bob")?.platforms, ["Android"]);
  const subs = await alice.c.presenceSubscribe({ users: ["bob", "carol"] });
  assert.equal(subs.find((s) => s.user === "carol")?.status, "Offline");
  const carol = await connect("carol");
  let seen = false;
  alice.c.on("presence_update", (p) => {
    if (p.statuses.some((s) => s.user === "carol" && s.status === "Online")) seen = true;
  });
  await waitFor("alice sees carol come online", () => seen, 8_000);
  carol.c.close();

  const rec = await alice.c.recall(ref);
  assert.equal(rec.seq, ack.seq);
  await waitFor("bob hears the recall", () => bob.events.some((e) => e.event === "message.group_recalled"));
  await assert.rejects(alice.c.recall(ref), (e: unknown) => e instanceof HearthError && e.code === 10030);
});

test("two devices of one user: a read on one is heard by both, and the unread view follows", async () => {
  const groupId = await h.group("bob", ["alice"]);
  const phone = await connect("alice", { platform: "iPhone" });
  const laptop = await connect("alice", { platform: "Mac" });
  const bob = await connect("bob");
  for (let i = 1; i <= 3; i++) await bob.c.send({ groupId }, text("m" + i));
  for (const d of [phone, laptop]) {
    await waitFor("3 unread on each device", () => d.c.unreadOf({ groupId })?.unread === 3);
    assert.deepEqual(seqs(d, groupId), [1, 2, 3]);
  }
  const st = await laptop.c.read({ groupId });
  assert.deepEqual({ read: st.read_seq, unread: st.unread }, { read: 3, unread: 0 });
  for (const d of [phone, laptop]) {
    await waitFor("the read position event", () => d.events.some((e) => e.event === "message.read_position_set" && e.group_id === groupId));
    await waitFor("0 unread", () => d.c.unreadOf({ groupId })?.unread === 0);
  }
  await bob.c.send({ groupId }, text("m4"));
  await waitFor("1 unread on the phone", () => phone.c.unreadOf({ groupId })?.unread === 1);
  const server = (await phone.c.unread()).find((r) => r.group_id === groupId && !r.topic_id);
  assert.equal(server?.unread, 1);
});

test("a message lost in transit is a gap: held, filled by sync, applied in order", async () => {
  const { groupId, topicId } = await h.community("bob", ["alice"]);
  const alice = await connect("alice");
  let dropped = 0;
  alice.net.drop = (f) => {
    if (dropped === 0 && f.includes('"type":"message"') && f.includes(`"topic_id":"${topicId}"`) && /"seq":2[,}]/.test(f)) {
      dropped++;
      return true;
    }
    return false;
  };
  for (let i = 1; i <= 4; i++) await h.sendREST("bob", groupId, topicId, "t" + i);
  await waitFor("all four", () => seqs(alice, groupId, topicId).length >= 4);
  await sleep(200);
  assert.equal(dropped, 1);
  assert.deepEqual(seqs(alice, groupId, topicId), [1, 2, 3, 4]);
  assert.deepEqual(alice.msgs.filter((m) => m.topic_id === topicId).map(bodyText), ["t1", "t2", "t3", "t4"]);
});

test("messages sent while the client is offline arrive on reconnect, once each, in order", async () => {
  const { groupId, topicId } = await h.community("bob", ["alice"]);
  const alice = await connect("alice");
  await h.sendREST("bob", groupId, topicId, "before");
  await h.sendREST("bob", groupId, undefined, "group before");
  await waitFor("the first two", () => alice.msgs.length >= 2);
  let resumed = 0;
  alice.c.on("resumed", (r) => r.reconnect && resumed++);
  alice.net.offline = true;
  alice.net.cut();
  await waitFor("reconnecting", () => alice.c.state === "reconnecting");
  for (let i = 0; i < 5; i++) await h.sendREST("bob", groupId, topicId, "while away " + i);
  await h.sendREST("bob", groupId, undefined, "group while away");
  await sleep(300);
  alice.net.offline = false;
  await waitFor("resumed", () => resumed === 1);
  await waitFor("every message", () => seqs(alice, groupId, topicId).length === 6 && seqs(alice, groupId).length === 2);
  await h.sendREST("bob", groupId, topicId, "after");
  await waitFor("the live one after", () => seqs(alice, groupId, topicId).length === 7);
  await sleep(200);
  assert.deepEqual(seqs(alice, groupId, topicId), range(1, 7));
  assert.deepEqual(seqs(alice, groupId), [1, 2]);
  assert.equal(alice.c.unreadOf({ groupId, topicId })?.unread, 7);
});

test("the server is killed (SIGKILL) and restarted on the same data and port: nothing lost or duplicated", async () => {
  const { groupId, topicId } = await h.community("alice", ["bob"]);
  const alice = await connect("alice");
  const bob = await connect("bob");
  const states: string[] = [];
  bob.c.on("state", (s) => states.push(s));
  for (let i = 1; i <= 3; i++) await alice.c.send({ groupId, topicId }, text("a" + i));
  await waitFor("bob has 3", () => seqs(bob, groupId, topicId).length === 3);

  await h.kill9();
  await waitFor("both notice", () => alice.c.state === "reconnecting" && bob.c.state === "reconnecting");
  // Sent while the server is down: queued, written after the next login.
  const during = alice.c.send({ groupId, topicId }, text("while down"));
  await sleep(700);
  await h.restart();
  for (let i = 0; i < 3; i++) await h.sendREST("alice", groupId, topicId, "rest " + i);
  const ack = await during;
  await waitFor("both online", () => alice.c.state === "online" && bob.c.state === "online");
  for (let i = 5; i <= 6; i++) await bob.c.send({ groupId, topicId }, text("b" + i));
  const want = 3 + 1 + 3 + 2;
  for (const t of [alice, bob]) {
    await waitFor("all messages", () => seqs(t, groupId, topicId).length >= want);
  }
  await sleep(300);
  for (const t of [alice, bob]) assert.deepEqual(seqs(t, groupId, topicId), range(1, want));
  assert.ok(ack.seq! >= 4 && ack.seq! <= want);
  assert.ok(states.includes("reconnecting"));
  // The local badge agrees with the server's count.
  const local = bob.c.unreadOf({ groupId, topicId })?.unread;
  const server = (await bob.c.unread()).find((r) => r.topic_id === topicId)?.unread;
  assert.equal(local, server);
});

// Found while writing the SDK and fixed in the gateway: the owner of a
// group created over REST while the owner has a connection hears the
// group's messages and edit events, on that connection and on one opened
// after the group was made.
test("the owner of a group made while the owner is online hears its messages and events", async () => {
  const early = await connect("carol");
  const groupId = await h.group("carol", ["bob"]);
  const late = await connect("carol");
  const bob = await connect("bob");
  const ack = await bob.c.send({ groupId }, text("x"), { extensible: true });
  await bob.c.edit({ groupId, seq: ack.seq! }, text("y"));
  await waitFor("bob's own edit event", () => bob.events.some((e) => e.event === "message.group_edited"));
  await sleep(500);
  const seen = [early, late].map((t) => ({ messages: seqs(t, groupId).length, edits: t.events.filter((e) => e.event === "message.group_edited").length }));
  assert.deepEqual(seen, [{ messages: 1, edits: 1 }, { messages: 1, edits: 1 }], JSON.stringify(seen));
});
