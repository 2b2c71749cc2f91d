/** The client's options, events and small public types. */
import type { ClientFrame, MessageFrame, ReauthedFrame, WelcomeFrame } from "../wire/protocol.ts";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import type { TicketPlacement, WebSocketConstructor } from "./connection.ts";
import type { TicketgateError } from "./errors.ts";

/** What `getTicket` may return: the ticket, the mint answer as it is, or null to stop. */
export type TicketSource = string | { ticket: string } | null;

export interface ReconnectOptions extends BackoffOptions {
  /** Consecutive failed attempts after which the client stops with `gave_up`. Default: never. */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = {
  ...DEFAULT_BACKOFF,
  maxAttempts: Number.POSITIVE_INFINITY,
};
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_WELCOME_TIMEOUT_MS = 10_000;

/** A client frame without its `id`: the SDK numbers requests itself. */
export type Request = ClientFrame extends infer F
  ? F extends ClientFrame
    ? Omit<F, "id">
    : never
  : never;

export interface ClientOptions {
  /** The gateway's WebSocket URL, e.g. `wss://rt.example.com/ws`. In a page, `/ws` and
   * `https://` URLs are resolved against the page and turned into `ws(s)://`. */
  url: string | URL;
  /**
   * Returns a fresh ticket; called before every connection attempt, since a ticket opens
   * one session only. Typically a call to your own backend, which mints it with its API
   * key. Return `null` to stop the client (e.g. the user signed out); a thrown error counts
   * as a failed attempt and is retried with back-off.
   */
  getTicket: () => TicketSource | Promise<TicketSource>;
  /** A WebSocket class; default `globalThis.WebSocket`. On Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /**
   * `protocol` (default) offers the ticket as a WebSocket sub-protocol, so it never appears
   * in a URL or an access log. `query` appends `?ticket=`, for proxies that drop the header.
   */
  ticketIn?: TicketPlacement;
  /** Back-off between attempts (full jitter), or `false` to never reconnect. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** How long a request waits for its reply, in milliseconds. Default 10 000. */
  requestTimeoutMs?: number;
  /** How long a new socket may take to deliver its welcome, in milliseconds. Default 10 000. */
  welcomeTimeoutMs?: number;
  /**
   * Renew the session with a fresh ticket (a `reauth` frame) shortly before its maximum age,
   * so it does not close with 4002. Default true.
   */
  renew?: boolean;
  /** Source of randomness for the jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface ClientEvents {
  /** Every change of `client.state`. */
  state: { state: ConnectionState; previous: ConnectionState };
  /** A session opened (first connect and every reconnect). */
  welcome: WelcomeFrame;
  /** Every channel message, whichever subscription it is for. */
  message: MessageFrame;
  /** An open session closed; `willReconnect` is false after a revocation or without reconnect. */
  close: { code: number; reason: string; willReconnect: boolean };
  /** The next attempt is scheduled after `delayMs` (jittered). */
  reconnecting: { attempt: number; delayMs: number; closeCode?: number; error?: TicketgateError };
  /** The session was renewed in place: new `expires_at`, possibly narrower channels. */
  reauthed: ReauthedFrame;
  /** A failed attempt, an unsolicited server error, or a refused resubscription. */
  error: TicketgateError;
}

/** A live subscription; `unsubscribe()` removes just this handler. */
export interface Subscription {
  channel: string;
  unsubscribe(): Promise<void>;
}
