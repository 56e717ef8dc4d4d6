import type { MessageFrame } from "./types.js";

/** The key of a group's own stream ("" topic) or a topic's stream. */
export function streamKey(groupId: string, topicId?: string): string {
  return topicId ? `${groupId}\u0000${topicId}` : groupId;
}

/** What offering a message to a stream did: the messages to apply now, in order, and whether a gap is open. */
export interface Offer {
  apply: MessageFrame[];
  /** A message past last+1 is held: sync from `last`. */
  gap: boolean;
  /** The offered message was a duplicate (seq <= last) and was dropped. */
  duplicate: boolean;
}

/**
 * One group or topic stream under the protocol's rule: `last` is the last seq
 * applied; a seq <= last is a duplicate (dropped), last+1 is applied (with any
 * held successors), a higher one is held until the gap fills.
 */
export class SeqStream {
  readonly groupId: string;
  readonly topicId: string | undefined;
  /** The last seq applied; undefined while the client knows nothing of the stream. */
  last: number | undefined;
  private held = new Map<number, MessageFrame>();

  constructor(groupId: string, topicId?: string, last?: number) {
    this.groupId = groupId;
    this.topicId = topicId || undefined;
    this.last = last;
  }

  /** How many messages are held past a gap. */
  get heldCount(): number {
    return this.held.size;
  }

  /** The lowest held seq (undefined when none is held). */
  get firstHeld(): number | undefined {
    let min: number | undefined;
    for (const s of this.held.keys()) if (min === undefined || s < min) min = s;
    return min;
  }

  /** Sets the position of a stream the client knew nothing of (the server's newest seq at login). */
  adopt(lastSeq: number): MessageFrame[] {
    if (this.last !== undefined) return [];
    this.last = lastSeq;
    for (const s of [...this.held.keys()]) if (s <= lastSeq) this.held.delete(s);
    return this.drain();
  }

  offer(m: MessageFrame): Offer {
    const seq = m.seq ?? 0;
    if (this.last === undefined) {
      // The first message the client sees of a stream it has no position
      // for starts it.
      this.last = seq;
      return { apply: [m, ...this.drain()], gap: this.held.size > 0, duplicate: false };
    }
    if (seq <= this.last || this.held.has(seq)) return { apply: [], gap: this.held.size > 0, duplicate: true };
    if (seq === this.last + 1) {
      this.last = seq;
      return { apply: [m, ...this.drain()], gap: this.held.size > 0, duplicate: false };
    }
    this.held.set(seq, m);
    return { apply: [], gap: true, duplicate: false };
  }

  /** Gives up on the gap before the first held message: applies what is held, in order, from there. */
  skipGap(): { from: number; to: number; apply: MessageFrame[] } | undefined {
    const first = this.firstHeld;
    if (first === undefined) return undefined;
    const from = (this.last ?? 0) + 1;
    this.last = first - 1;
    return { from, to: first - 1, apply: this.drain() };
  }

  private drain(): MessageFrame[] {
    const out: MessageFrame[] = [];
    for (;;) {
      const next = this.held.get((this.last ?? 0) + 1);
      if (!next) break;
      this.held.delete(next.seq ?? 0);
      this.last = next.seq ?? 0;
      out.push(next);
    }
    return out;
  }
}

/**
 * One one-to-one conversation: its messages carry no stream seq, so the
 * client drops a msg_key it has applied, and resumes from the time of the
 * newest (a sync's after_time is inclusive).
 */
export class PeerStream {
  readonly peer: string;
  lastTime: number;
  private seen = new Map<string, number>();

  constructor(peer: string, lastTime = 0) {
    this.peer = peer;
    this.lastTime = lastTime;
  }

  /** Whether m is new (and remembers it). */
  offer(m: MessageFrame): boolean {
    const key = m.msg_key ?? `${m.from}_${m.time}_${m.random}`;
    if (this.seen.has(key)) return false;
    const t = m.time ?? 0;
    this.seen.set(key, t);
    if (t > this.lastTime) this.lastTime = t;
    if (this.seen.size > 2000) {
      // Keys older than the resume point cannot come back by a sync.
      for (const [k, kt] of this.seen) if (kt < this.lastTime) this.seen.delete(k);
    }
    return true;
  }
}
