import { streamKey } from "./streams.js";
import type { MessageFrame, ReadState } from "./types.js";

function keyOf(s: { group_id?: string; topic_id?: string; peer?: string }): string {
  return s.peer ? `@peer\u0000${s.peer}` : streamKey(s.group_id ?? "", s.topic_id);
}

/**
 * The local view of unread counts: set from the server's `unread`,
 * `read_ok` and `sync_done` answers, then kept right by pushes (a message
 * from someone else adds one; `message.read_position_set` and
 * `message.c2c_read_set` set a stream's position from any of the user's
 * devices).
 */
export class UnreadView {
  private states = new Map<string, ReadState>();

  /** The read state of a group's own stream, a topic, or a peer. */
  get(s: { group_id?: string; topic_id?: string; peer?: string }): ReadState | undefined {
    const st = this.states.get(keyOf(s));
    return st ? { ...st } : undefined;
  }

  /** Every stream's state. */
  all(): ReadState[] {
    return [...this.states.values()].map((s) => ({ ...s }));
  }

  /** The sum over a group's own stream and its topics (a community's badge), or over everything. */
  total(groupId?: string): number {
    let n = 0;
    for (const s of this.states.values()) if (groupId === undefined || s.group_id === groupId) n += s.unread;
    return n;
  }

  /**
   * Merges the server's states. A state older than what the client has
   * applied since (a lower last_seq) keeps the messages counted after it.
   * Returns the states that changed.
   */
  merge(reads: ReadState[]): ReadState[] {
    const changed: ReadState[] = [];
    for (const r of reads) {
      const k = keyOf(r);
      const old = this.states.get(k);
      const next: ReadState = { ...r };
      if (old && !r.peer && old.last_seq > r.last_seq && old.read_seq <= r.read_seq) {
        next.unread = r.unread + (old.last_seq - Math.max(r.last_seq, r.read_seq));
        next.last_seq = old.last_seq;
      }
      if (!old || old.unread !== next.unread || old.read_seq !== next.read_seq || old.last_seq !== next.last_seq) changed.push({ ...next });
      this.states.set(k, next);
    }
    return changed;
  }

  /** A `message.read_position_set` event. */
  readPositionSet(groupId: string, topicId: string | undefined, seq: number, unread: number): ReadState {
    const k = keyOf({ group_id: groupId, topic_id: topicId });
    const old = this.states.get(k);
    const serverLast = seq + unread;
    const next: ReadState = { group_id: groupId, read_seq: seq, last_seq: serverLast, unread };
    if (topicId) next.topic_id = topicId;
    if (old && old.last_seq > serverLast) {
      next.last_seq = old.last_seq;
      next.unread = unread + (old.last_seq - serverLast);
    }
    this.states.set(k, next);
    return { ...next };
  }

  /** A `message.c2c_read_set` event. */
  c2cReadSet(peer: string, time: number, unread: number): ReadState {
    const k = keyOf({ peer });
    const old = this.states.get(k);
    const next: ReadState = { peer, read_seq: old?.read_seq ?? 0, last_seq: old?.last_seq ?? 0, read_time: time, unread };
    this.states.set(k, next);
    return { ...next };
  }

  /** An applied message (never a duplicate); me is the user's identifier. Returns the stream's new state when it changed. */
  message(m: MessageFrame, me: string): ReadState | undefined {
    if (m.recalled) return undefined;
    const mine = m.from === me;
    if (!m.group_id) {
      const peer = mine ? m.to : m.from;
      if (!peer || mine) return undefined;
      const k = keyOf({ peer });
      const old = this.states.get(k) ?? { peer, read_seq: 0, last_seq: 0, unread: 0 };
      const next = { ...old, unread: old.unread + 1 };
      this.states.set(k, next);
      return { ...next };
    }
    const seq = m.seq ?? 0;
    const k = keyOf(m);
    const old = this.states.get(k);
    const next: ReadState = old
      ? { ...old }
      : { group_id: m.group_id, read_seq: 0, last_seq: 0, unread: 0, ...(m.topic_id ? { topic_id: m.topic_id } : {}) };
    if (seq <= next.last_seq) return undefined; // already counted by the server's state
    next.last_seq = seq;
    if (mine) {
      // The user's own messages are read as they are sent.
      next.read_seq = seq;
      next.unread = 0;
    } else {
      next.unread += 1;
    }
    this.states.set(k, next);
    return { ...next };
  }
}
