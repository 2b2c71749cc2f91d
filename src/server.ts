/** Binds a composed ticketgate to a port with Bun's server, and takes it down again. */
import type { Server } from "bun";
import type { Ticketgate } from "./app.ts";
import type { SessionData } from "./realtime/session-data.ts";

/**
 * Bun's own ceiling, which it enforces with a bare 413 before ticketgate sees the request.
 * Kept far above the API's 16 KiB so that every declared body over 16 KiB reaches app.ts and
 * gets a problem answer; only an undeclared (chunked) body past this reaches Bun's answer.
 */
const MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024;
/**
 * Seconds an HTTP connection may sit without completing a request before Bun closes it.
 * Bun 1.4.4 does not restart this clock for partial data: a client that sends half a
 * header (or a declared body) and stalls, or drips a byte a second, was cut off after about
 * 12 s in our tests (this value plus Bun's 4 s timer tick). Headers over Bun's 16 KiB cap
 * are answered 431 and closed. WebSocket sessions have their own idle timeout.
 */
const HTTP_IDLE_TIMEOUT_SECONDS = 10;

export interface Listening {
  server: Server<SessionData>;
  port: number;
  /** Stops accepting, closes sessions with 1001 and waits for them to go. */
  stop(): Promise<void>;
}

export function listen(gate: Ticketgate, port: number, hostname: string): Listening {
  const server = Bun.serve<SessionData, never>({
    port,
    hostname,
    reusePort: false,
    development: false,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    idleTimeout: HTTP_IDLE_TIMEOUT_SECONDS,
    fetch: gate.fetch,
    websocket: gate.websocket,
  });

  return {
    server,
    port: server.port ?? port,
    stop: () => server.stop(true),
  };
}
