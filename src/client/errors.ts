/** The one error type the SDK raises, with a closed set of stable codes. */
import type { ServerErrorCode } from "../wire/protocol.ts";

/**
 * Why something failed:
 * - `handshake_failed`: the socket closed before it opened. The server refused the upgrade
 *   or the network failed. Browsers hide the HTTP status, so there the SDK cannot tell
 *   which; Bun, Deno and `ws` name it in their error text, and then `status` holds it.
 * - `ticket_unavailable`: `getTicket` threw, or returned no ticket.
 * - `timeout`: no welcome, or no reply to a request, in time.
 * - `protocol`: the server sent something the protocol does not allow at that point.
 * - `server`: the server answered a request with an `error` frame; see `serverCode`.
 * - `revoked`: the server revoked the session (close 4001); the client stopped.
 * - `not_connected`: a request that needs an open session was made without one.
 * - `disconnected`: the session closed while a request waited for its reply.
 * - `closed`: `close()` was called, or the client stopped for one of the reasons above.
 * - `gave_up`: `maxAttempts` consecutive connection attempts failed.
 */
export type TicketgateErrorCode =
  | "handshake_failed"
  | "ticket_unavailable"
  | "timeout"
  | "protocol"
  | "server"
  | "revoked"
  | "not_connected"
  | "disconnected"
  | "closed"
  | "gave_up";

export interface TicketgateErrorOptions {
  /** The `code` of the server's `error` frame, when `code` is `server`. */
  serverCode?: ServerErrorCode;
  /** The WebSocket close code, when a close caused the error. */
  closeCode?: number;
  /** The HTTP status of a refused upgrade, when the runtime revealed it (never in browsers). */
  status?: number;
  cause?: unknown;
}

/**
 * An SDK failure. Messages are fixed sentences: they never contain a ticket, a key or a URL
 * that could hold one, so an app may log them as they are.
 *
 * @example
 * ```ts
 * client.on("error", (error) => {
 *   if (error.code === "handshake_failed") showBanner("Cannot reach the realtime service");
 * });
 * ```
 */
export class TicketgateError extends Error {
  override name = "TicketgateError";
  readonly code: TicketgateErrorCode;
  readonly serverCode: ServerErrorCode | undefined;
  readonly closeCode: number | undefined;
  readonly status: number | undefined;

  constructor(code: TicketgateErrorCode, message: string, options: TicketgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.serverCode = options.serverCode;
    this.closeCode = options.closeCode;
    this.status = options.status;
  }
}

/**
 * What the SDK can say about a socket that closed before opening. The HTTP answer (401
 * ticket refused, 403 origin refused, 429 too many sessions, 503 store down) never reaches
 * WebSocket code in any runtime's standard API, so the message lists the possibilities.
 */
export const HANDSHAKE_FAILED_MESSAGE =
  "The WebSocket closed before opening: the server refused the upgrade (401 ticket missing, " +
  "invalid, expired or used; 403 origin not allowed; 429 too many sessions for this subject; " +
  "503 ticket store unavailable) or the server could not be reached. This runtime did not " +
  "reveal the HTTP status (browsers never do), so the SDK cannot tell these apart; the " +
  "server logs the reason under 'upgrade refused'.";

/** What each refusal status of the upgrade means, for runtimes that reveal the status. */
const REFUSALS: Record<number, string> = {
  401: "the ticket is missing, invalid, expired or already used",
  403: "this origin is not allowed to connect",
  429: "the subject has too many sessions open",
  503: "the ticket store is unavailable; a later attempt may succeed",
};

/**
 * Where runtimes put the status of a refused upgrade in their (non-standard) error text:
 * Bun, the `ws` package and Deno. Browsers give page code no text at all.
 */
const STATUS_IN_ERROR_TEXT = [
  /Expected 101 status code: (\d{3})\b/,
  /Unexpected server response: (\d{3})\b/,
  /Invalid status code:? (\d{3})\b/,
];

/** The refused upgrade's HTTP status if the runtime's error text names it. */
export function statusFromErrorText(text: string): number | undefined {
  for (const pattern of STATUS_IN_ERROR_TEXT) {
    const match = pattern.exec(text);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** The handshake error: specific when the status is known, the full list of causes when not. */
export function handshakeFailed(
  status: number | undefined,
  closeCode: number,
  runtimeText: string,
): TicketgateError {
  const message =
    status === undefined
      ? HANDSHAKE_FAILED_MESSAGE
      : `The server refused the WebSocket upgrade with HTTP ${status}${REFUSALS[status] ? `: ${REFUSALS[status]}` : ""}.`;
  return new TicketgateError("handshake_failed", message, {
    closeCode,
    ...(status === undefined ? {} : { status }),
    ...(runtimeText ? { cause: runtimeText } : {}),
  });
}

/** Masks anything shaped like a ticket in text that came from elsewhere (runtime errors). */
export function redactTickets(text: string): string {
  return text.replace(/tgt_[A-Za-z0-9_-]+/g, "tgt_[redacted]");
}
