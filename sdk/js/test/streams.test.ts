// Unit tests of the seq rule and the unread view: no server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SeqStream, PeerStream, UnreadView, type MessageFrame } from "../src/index.js";

const m = (seq: number, from = "bob"): MessageFrame => ({ type: "message", group_id: "g", seq, from });

test("seq rule: drop seq <= last, hold past a gap, apply in order as it fills", () => {
  const s = new SeqStream("g", undefined, 1);
  const applied: number[] = [];
  const feed = (seq: number) => {
    const o = s.offer(m(seq));
    applied.push(...o.apply.map((x) => x.seq!));
    return o;
  };
  assert.equal(feed(1).duplicate, true);
  assert.deepEqual(feed(2).apply.map((x) => x.seq), [2]);
  assert.equal(feed(4).gap, true);
  assert.equal(feed(5).gap, true);
  assert.equal(feed(4).duplicate, true, "a held seq offered again is a duplicate");
  assert.equal(s.heldCount, 2);
  const o = feed(3);
  assert.equal(o.gap, false);
  assert.deepEqual(o.apply.map((x) => x.seq), [3, 4, 5]);
  feed(3);
  feed(6);
  assert.deepEqual(applied, [2, 3, 4, 5, 6]);
  assert.equal(s.last, 6);
});

test("seq rule: an unknown stream starts at the first message; adopt sets the position of an unknown one", () => {
  const s = new SeqStream("g");
  assert.deepEqual(s.offer(m(7)).apply.map((x) => x.seq), [7]);
  assert.equal(s.offer(m(7)).duplicate, true);
  const t = new SeqStream("g", "t");
  assert.deepEqual(t.adopt(10), []);
  assert.equal(t.offer(m(10)).duplicate, true);
  assert.equal(t.offer(m(12)).gap, true);
  const skipped = t.skipGap();
  assert.deepEqual(skipped && { from: skipped.from, to: skipped.to, seqs: skipped.apply.map((x) => x.seq) }, { from: 11, to: 11, seqs: [12] });
});

test("one-to-one: a msg_key applied once", () => {
  const p = new PeerStream("bob");
  const c: MessageFrame = { type: "message", from: "bob", to: "me", msg_key: "1_2_3", time: 3 };
  assert.equal(p.offer(c), true);
  assert.equal(p.offer({ ...c }), false);
  assert.equal(p.lastTime, 3);
});

test("unread view: others' messages count, own ones read, read positions set, stale snapshots keep newer counts", () => {
  const v = new UnreadView();
  v.merge([{ group_id: "g", read_seq: 2, last_seq: 4, unread: 2 }]);
  v.message(m(5), "me");
  assert.equal(v.get({ group_id: "g" })!.unread, 3);
  v.message(m(5), "me"); // counted already (seq <= last_seq)
  assert.equal(v.get({ group_id: "g" })!.unread, 3);
  // A snapshot taken before seq 5 was stored keeps it.
  v.merge([{ group_id: "g", read_seq: 2, last_seq: 4, unread: 2 }]);
  assert.equal(v.get({ group_id: "g" })!.unread, 3);
  v.readPositionSet("g", undefined, 5, 0);
  assert.equal(v.get({ group_id: "g" })!.unread, 0);
  v.message(m(6), "me");
  v.message(m(7, "me"), "me");
  assert.deepEqual(v.get({ group_id: "g" }), { group_id: "g", read_seq: 7, last_seq: 7, unread: 0 });
  v.message({ type: "message", from: "bob", to: "me", msg_key: "k", time: 1 }, "me");
  assert.equal(v.get({ peer: "bob" })!.unread, 1);
  v.c2cReadSet("bob", 1, 0);
  assert.equal(v.total(), 0);
});
