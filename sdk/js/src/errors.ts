import type { Frame } from "./types.js";

/** An `error` frame answering a request: the REST API's code and info (and the frame's data, e.g. the stored key of a 23001). */
export class HearthError extends Error {
  readonly code: number;
  readonly info: string;
  readonly data: unknown;
  constructor(code: number, info: string, data?: unknown) {
    super(`hearth: error ${code}: ${info}`);
    this.name = "HearthError";
    this.code = code;
    this.info = info;
    this.data = data;
  }
  /** The error an error frame stands for. */
  static fromFrame(f: Frame): HearthError {
    return new HearthError(f.code ?? 0, f.info ?? "", f.data);
  }
}

/** A request that got no answer in time. */
export class TimeoutError extends Error {
  readonly requestType: string;
  constructor(requestType: string, ms: number) {
    super(`hearth: no answer to ${requestType} within ${ms} ms`);
    this.name = "TimeoutError";
    this.requestType = requestType;
  }
}

/** The connection ended before a request that cannot be retried was answered, or the client was closed. */
export class ConnectionClosedError extends Error {
  readonly closeCode: number | undefined;
  constructor(message: string, closeCode?: number) {
    super(`hearth: ${message}`);
    this.name = "ConnectionClosedError";
    this.closeCode = closeCode;
  }
}
