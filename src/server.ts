/** Binds a composed ticketgate to a port with Bun's server, and takes it down again. */
import type { Server } from "bun";
import type { Ticketgate } from "./app.ts";
import type { SessionData } from "./realtime/session-data.ts";

/** Bun's own ceiling; the API refuses bodies over 16 KiB itself, with a problem body. */
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

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
    fetch: gate.fetch,
    websocket: gate.websocket,
  });

  return {
    server,
    port: server.port ?? port,
    stop: () => server.stop(true),
  };
}
