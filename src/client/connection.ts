/**
 * One WebSocket from creation to close. Listeners are attached in the same task that
 * creates the socket: under Deno a frame the server sends on open is lost when the first
 * listener is added after an `await`, and the welcome is exactly such a frame.
 */
import {
  SUBPROTOCOL,
  type ClientFrame,
  type ServerFrame,
  type WelcomeFrame,
} from "../wire/protocol.ts";
import { TicketgateError, handshakeFailed, redactTickets, statusFromErrorText } from "./errors.ts";
import { parseServerFrame } from "./frames.ts";

/** The part of the standard WebSocket the SDK uses; `ws` in Node and every runtime's own fit it. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "message" | "close" | "error",
    listener: (event: unknown) => void,
  ): void;
}

export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** Where the ticket travels: the sub-protocol list (default), or the `?ticket=` query. */
export type TicketPlacement = "protocol" | "query";

export interface CloseInfo {
  code: number;
  reason: string;
}

/** `WebSocket.OPEN` in every implementation; not read from the class, which `ws`-likes may lack. */
const OPEN = 1;

export interface Connection {
  /** Resolves with the welcome frame; rejects when the socket closes or times out first. */
  welcome: Promise<WelcomeFrame>;
  /** Resolves once the socket is closed, whatever the reason. */
  closed: Promise<CloseInfo>;
  isOpen(): boolean;
  send(frame: ClientFrame): void;
  close(code: number, reason: string): void;
}

export interface ConnectionOptions {
  WebSocket: WebSocketConstructor;
  url: string;
  ticket: string;
  placement: TicketPlacement;
  welcomeTimeoutMs: number;
  /** Every frame after the welcome, delivered in order from the moment the socket exists. */
  onFrame(frame: ServerFrame): void;
}

export function openConnection(options: ConnectionOptions): Connection {
  const { url, ticket, placement } = options;
  const socket =
    placement === "protocol"
      ? new options.WebSocket(url, [SUBPROTOCOL, ticket])
      : new options.WebSocket(withTicketQuery(url, ticket));

  let welcomed = false;
  let settleWelcome!: { resolve(w: WelcomeFrame): void; reject(e: TicketgateError): void };
  const welcome = new Promise<WelcomeFrame>(
    (resolve, reject) => (settleWelcome = { resolve, reject }),
  );
  welcome.catch(() => {});
  let resolveClosed!: (info: CloseInfo) => void;
  const closed = new Promise<CloseInfo>((resolve) => (resolveClosed = resolve));

  let opened = false;
  let lastError = "";
  const fail = (error: TicketgateError, code: number) => {
    clearTimeout(timer);
    if (!welcomed) settleWelcome.reject(error);
    welcomed = true;
    if (socket.readyState <= OPEN) socket.close(code, error.code);
  };
  const timer = setTimeout(
    () =>
      fail(new TicketgateError("timeout", "No welcome frame arrived in time."), PROTOCOL_FAILURE),
    options.welcomeTimeoutMs,
  );

  socket.addEventListener("open", () => {
    opened = true;
    // The server must pick the protocol name; anything else could be the ticket echoed back.
    if (placement === "protocol" && socket.protocol !== SUBPROTOCOL)
      fail(
        new TicketgateError(
          "protocol",
          `The server did not answer with the ${SUBPROTOCOL} sub-protocol.`,
        ),
        PROTOCOL_FAILURE,
      );
  });
  socket.addEventListener("error", (event) => {
    // Not standard, but Bun, Deno and ws put a description here; browsers never do.
    const message = (event as { message?: unknown } | null)?.message;
    if (typeof message === "string") lastError = redactTickets(message);
  });
  socket.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") return;
    const frame = parseServerFrame(data);
    if (welcomed) {
      if (frame) options.onFrame(frame);
      return;
    }
    if (frame?.type !== "welcome") {
      fail(new TicketgateError("protocol", "The first frame was not a welcome."), PROTOCOL_FAILURE);
      return;
    }
    welcomed = true;
    clearTimeout(timer);
    settleWelcome.resolve(frame);
  });
  socket.addEventListener("close", (raw) => {
    const event = raw as CloseEvent;
    clearTimeout(timer);
    if (!welcomed) {
      welcomed = true;
      const error = opened
        ? new TicketgateError("protocol", "The session closed before its welcome frame.", {
            closeCode: event.code,
          })
        : handshakeFailed(statusFromErrorText(lastError), event.code, lastError);
      settleWelcome.reject(error);
    }
    resolveClosed({ code: event.code, reason: event.reason });
  });

  return {
    welcome,
    closed,
    isOpen: () => welcomed && socket.readyState === OPEN,
    send: (frame) => socket.send(JSON.stringify(frame)),
    close: (code, reason) => {
      clearTimeout(timer);
      if (socket.readyState <= OPEN) socket.close(code, reason);
    },
  };
}

/**
 * Close code the client sends when it abandons a socket. Browsers let page code send only
 * 1000 or 3000-4999, so RFC 6455's 1002 is not available; the reason text says why.
 */
const PROTOCOL_FAILURE = 1000;

function withTicketQuery(url: string, ticket: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("ticket", ticket);
  return parsed.href;
}
