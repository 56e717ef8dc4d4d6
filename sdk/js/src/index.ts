export { Client } from "./client.js";
export type {
  ClientEvents,
  ClientOptions,
  ConnectionState,
  Gap,
  Positions,
  ReconnectOptions,
  WebSocketConstructor,
  WebSocketLike,
} from "./client.js";
export { ConnectionClosedError, HearthError, TimeoutError } from "./errors.js";
export { Emitter } from "./emitter.js";
export { PeerStream, SeqStream, streamKey } from "./streams.js";
export type { Offer } from "./streams.js";
export { UnreadView } from "./unread.js";
export type * from "./types.js";
