/**
 * The wire protocol as the client sees it. A copy of the server's shapes, not an import:
 * the SDK ships to browsers and must not pull server code along.
 */

/** Sub-protocol offered beside the ticket; the server answers with exactly this name. */
export const SUBPROTOCOL = "ticketgate.v1";

/** Close codes the server uses, and what the client does about each. */
export const CloseCode = {
  /** Normal closure: sent by `close()` on the client side. */
  normal: 1000,
  /** Server going away (restart, deploy): reconnect with back-off. */
  goingAway: 1001,
  /** The client sent a binary frame: a bug in the caller, reconnecting is allowed. */
  unsupportedData: 1003,
  /** No close frame at all: network failure, or an upgrade the server refused. */
  abnormal: 1006,
  /** A rate policy was broken repeatedly: reconnect with back-off. */
  policyViolation: 1008,
  /** The client sent a frame above the server's limit. */
  messageTooBig: 1009,
  /** Revoked by the operator: never reconnect on our own. */
  revoked: 4001,
  /** The session reached its maximum age: fetch a fresh ticket and reconnect at once. */
  sessionExpired: 4002,
  /** The client read too slowly and the server's buffer filled: reconnect with back-off. */
  slowConsumer: 4003,
} as const;

/** A request id; the SDK numbers its requests itself. */
export type RequestId = string | number;

/** A channel permission as the welcome frame lists it. */
export type ChannelPermission = string | { pattern: string; publish: false };

/** Who sent a message: the server (REST push) or another session. */
export type MessageSource = "server" | { subject: string; session: string };

export interface WelcomeFrame {
  type: "welcome";
  session: string;
  subject: string;
  channels: ChannelPermission[];
  metadata: Record<string, unknown> | null;
  /** When the server will close the session with 4002 unless it re-authenticates (ISO 8601). */
  expires_at?: string;
}

export interface ReauthedFrame {
  type: "reauthed";
  channels: ChannelPermission[];
  expires_at: string;
  /** Channels the session was subscribed to and the new ticket no longer grants. */
  dropped: string[];
  id?: RequestId;
}

export interface MessageFrame {
  type: "message";
  channel: string;
  data: unknown;
  from: MessageSource;
  /** ISO 8601 time at which the server accepted the message. */
  ts: string;
}

/** Stable codes of `error` frames; the session stays open after each of them. */
export type ServerErrorCode =
  | "bad_json"
  | "bad_frame"
  | "unknown_type"
  | "forbidden"
  | "rate_limited"
  | "not_subscribed"
  | "too_many_subscriptions"
  | "reauth_failed";

export interface ErrorFrame {
  type: "error";
  code: ServerErrorCode;
  message: string;
  id?: RequestId;
}

/** Frames that answer exactly one request, matched by `id`. */
export type ReplyFrame =
  | { type: "pong"; id?: RequestId }
  | { type: "subscribed"; channel: string; id?: RequestId }
  | { type: "unsubscribed"; channel: string; id?: RequestId }
  | { type: "published"; channel: string; id?: RequestId }
  | ReauthedFrame
  | ErrorFrame;

export type ServerFrame = WelcomeFrame | MessageFrame | ReplyFrame;

export type ClientFrame =
  | { type: "ping"; id?: RequestId }
  | { type: "subscribe"; channel: string; id?: RequestId }
  | { type: "unsubscribe"; channel: string; id?: RequestId }
  | { type: "publish"; channel: string; data: unknown; id?: RequestId }
  | { type: "reauth"; ticket: string; id?: RequestId };

/** Reads one text frame; null when it is not a JSON object with a string `type`. */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  if (typeof (value as { type?: unknown }).type !== "string") return null;
  return value as ServerFrame;
}
