/**
 * The wire protocol of a ticketgate session: sub-protocol name, close codes, frame shapes
 * and error codes. The one definition both sides read: the server's realtime/ code and the
 * client SDK import it, so the two cannot drift apart. It ships to browsers inside the SDK,
 * hence it imports nothing and holds only types and plain-data constants (the demo's browser
 * build copies the constants by value: see http/demo-sdk.ts).
 */

/** Sub-protocol a client offers beside its ticket; the server answers with exactly this name. */
export const SUBPROTOCOL = "ticketgate.v1";

/**
 * WebSocket close codes of a session, with what a client should do about each; 4xxx are
 * ticketgate's own (documented in the README), the rest come from RFC 6455.
 */
export const CloseCode = {
  /** Normal closure: an orderly close by either side. */
  normal: 1000,
  /** Server going away (shutdown, restart, deploy): reconnect with back-off. */
  goingAway: 1001,
  /** A binary frame arrived; the protocol is JSON text only ("unsupported data"). */
  unsupportedData: 1003,
  /** No close frame at all: a network failure, or an upgrade the server refused. */
  abnormal: 1006,
  /** The session kept breaking a policy, e.g. the message rate, after being warned. */
  policyViolation: 1008,
  /** A frame larger than the server's configured maximum ("message too big"). */
  messageTooBig: 1009,
  /** Revoked by the operator: do not reconnect with the same identity on your own. */
  revoked: 4001,
  /** The session reached its maximum age: fetch a fresh ticket and reconnect at once. */
  sessionExpired: 4002,
  /** The client read too slowly and the server's buffer for it filled: reconnect with back-off. */
  slowConsumer: 4003,
} as const;

/** Optional request id a client attaches so it can match the one reply it gets. */
export type RequestId = string | number;

/** A channel permission as the server lists it: a plain pattern, or a subscribe-only one. */
export type ChannelPermission = string | { pattern: string; publish: false };

/** Who sent a message: the server (REST push) or another session. */
export type MessageSource = "server" | { subject: string; session: string };

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

/** The first frame of every session, sent by the server as soon as the socket opens. */
export interface WelcomeFrame {
  type: "welcome";
  session: string;
  subject: string;
  channels: ChannelPermission[];
  metadata: Record<string, unknown> | null;
  /** When the server will close the session with 4002 unless it re-authenticates (ISO 8601). */
  expires_at: string;
}

/** The answer to a successful `reauth`: the session lives on under the new ticket. */
export interface ReauthedFrame {
  type: "reauthed";
  channels: ChannelPermission[];
  expires_at: string;
  /** Subscribed channels the new ticket no longer grants; the session is now out of them. */
  dropped: string[];
  id?: RequestId;
}

/** A message on a channel the session is subscribed to. */
export interface MessageFrame {
  type: "message";
  channel: string;
  data: unknown;
  from: MessageSource;
  /** ISO 8601 time at which the server accepted the message. */
  ts: string;
}

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

/** Every frame the server sends. */
export type ServerFrame = WelcomeFrame | MessageFrame | ReplyFrame;

/** Every frame a client may send. */
export type ClientFrame =
  | { type: "ping"; id?: RequestId }
  | { type: "subscribe"; channel: string; id?: RequestId }
  | { type: "unsubscribe"; channel: string; id?: RequestId }
  | { type: "publish"; channel: string; data: unknown; id?: RequestId }
  | { type: "reauth"; ticket: string; id?: RequestId };
