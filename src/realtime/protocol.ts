/** The JSON text frames a session exchanges, in both directions. */

/** Sub-protocol name a client offers beside its ticket in `Sec-WebSocket-Protocol`. */
export const SUBPROTOCOL = "ticketgate.v1";

/** Optional request id a client attaches so it can match the one reply it gets. */
export type RequestId = string | number;

export type ClientFrame =
  | { type: "ping"; id?: RequestId }
  | { type: "subscribe"; channel: string; id?: RequestId }
  | { type: "unsubscribe"; channel: string; id?: RequestId }
  | { type: "publish"; channel: string; data: unknown; id?: RequestId }
  | { type: "reauth"; ticket: string; id?: RequestId };

/** A channel permission as the server lists it: a plain pattern, or a subscribe-only one. */
export type WireGrant = string | { pattern: string; publish: false };

/** Who sent a message: the server (REST push) or another session. */
export type MessageSource = "server" | { subject: string; session: string };

export type ServerFrame =
  | {
      type: "welcome";
      session: string;
      subject: string;
      channels: WireGrant[];
      metadata: Record<string, unknown> | null;
      /** When the session will be closed with 4002 unless re-authenticated (ISO 8601). */
      expires_at: string;
    }
  | { type: "pong"; id?: RequestId }
  | { type: "subscribed"; channel: string; id?: RequestId }
  | { type: "unsubscribed"; channel: string; id?: RequestId }
  | { type: "published"; channel: string; id?: RequestId }
  | {
      type: "reauthed";
      channels: WireGrant[];
      expires_at: string;
      /** Channels the session was subscribed to and may no longer read: now unsubscribed. */
      dropped: string[];
      id?: RequestId;
    }
  | { type: "message"; channel: string; data: unknown; from: MessageSource; ts: string }
  | { type: "error"; code: ErrorCode; message: string; id?: RequestId };

/** Stable codes of `error` frames; the session stays open after each of them. */
export type ErrorCode =
  | "bad_json"
  | "bad_frame"
  | "unknown_type"
  | "forbidden"
  | "rate_limited"
  | "not_subscribed"
  | "too_many_subscriptions"
  | "reauth_failed";
