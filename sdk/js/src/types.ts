// The frames of Hearth's WebSocket protocol (docs/protocol.md; the Go
// client's client/frame.go lists the same fields).

/** A login platform: the hosted service's names. */
export type Platform = "iPhone" | "iPad" | "Android" | "Web" | "Windows" | "Mac" | "Linux" | "Unknown";

/** One element of a message body (TIMTextElem, TIMCustomElem, …), as the REST API writes it. */
export interface MsgElem {
  MsgType: string;
  MsgContent: Record<string, unknown>;
}

/** A stream for `sync`: a group's own (group_id), a topic's (group_id, topic_id), or a one-to-one conversation (peer). */
export interface SyncStream {
  group_id?: string;
  topic_id?: string;
  after_seq?: number;
  peer?: string;
  after_time?: number;
}

/** Where the user stands in one stream (read_ok, unread, sync_done). */
export interface ReadState {
  group_id?: string;
  topic_id?: string;
  peer?: string;
  read_seq: number;
  last_seq: number;
  read_time?: number;
  unread: number;
}

/** One user's online status. */
export interface Presence {
  user: string;
  status: "Online" | "Offline";
  platforms?: Platform[];
}

/** One entry of the conversation list. */
export interface Conversation {
  group_id?: string;
  peer?: string;
  time?: number;
  pinned?: boolean;
  unread?: number;
  last?: MessageFrame;
  recalled?: boolean;
}

/** A `message` frame: a message of a group, a topic, or a one-to-one conversation. */
export interface MessageFrame {
  type: "message";
  group_id?: string;
  topic_id?: string;
  seq?: number;
  from?: string;
  to?: string;
  msg_key?: string;
  time?: number;
  random?: number;
  msg_body?: MsgElem[];
  edited?: boolean;
  edit_time?: number;
  recalled?: boolean;
  extensible?: boolean;
}

/** An `event` frame. */
export interface EventFrame {
  type: "event";
  event: string;
  group_id?: string;
  topic_id?: string;
  data?: unknown;
  conversations?: Conversation[];
}

/** A `kicked` frame: the session ends (kick, account deleted). */
export interface KickedFrame {
  type: "kicked";
  info?: string;
}

/** A `presence_update` frame: followed users whose status changed. */
export interface PresenceUpdateFrame {
  type: "presence_update";
  statuses: Presence[];
}

/** Every frame of the protocol; `type` says which fields apply. */
export interface Frame {
  type: string;
  id?: string;
  sdkappid?: number;
  identifier?: string;
  usersig?: string;
  platform?: string;
  server_time?: number;
  group_id?: string;
  topic_id?: string;
  random?: number;
  msg_body?: MsgElem[];
  seq?: number;
  from?: string;
  to?: string;
  msg_key?: string;
  time?: number;
  edited?: boolean;
  edit_time?: number;
  recalled?: boolean;
  extensible?: boolean;
  key?: string;
  value?: string;
  ext_seq?: number;
  streams?: SyncStream[];
  reads?: ReadState[];
  event?: string;
  data?: unknown;
  code?: number;
  info?: string;
  users?: string[];
  statuses?: Presence[];
  cursor?: string;
  conversations?: Conversation[];
}

/** The answer to a login. */
export interface LoginOk {
  identifier: string;
  server_time: number;
}

/** The answer to a send (`ack`): the message's seq (group) or msg_key (one-to-one) and time. */
export interface Ack {
  group_id?: string;
  topic_id?: string;
  to?: string;
  seq?: number;
  msg_key?: string;
  time: number;
  edited?: boolean;
  edit_time?: number;
}

/** The answer to ext_set/ext_remove: the key as stored. */
export interface ExtOk {
  group_id?: string;
  topic_id?: string;
  seq?: number;
  to?: string;
  from?: string;
  msg_key?: string;
  key: string;
  value?: string;
  ext_seq: number;
}

/** A group or topic stream, or a one-to-one conversation: what a request names. */
export type Target =
  | { groupId: string; topicId?: string }
  | { to: string };

/** A message named for edit, recall and extensions: a group/topic message by seq, or a one-to-one one by msg_key. */
export type MessageRef =
  | { groupId: string; topicId?: string; seq: number }
  | { to: string; msgKey: string }
  | { from: string; msgKey: string };
