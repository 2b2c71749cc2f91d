/** Helpers for SDK tests: a recording WebSocket class, a minting ticket source, bounded waits. */
import type {
  ClientEvents,
  TicketgateClient,
  WebSocketConstructor,
} from "../../src/client/index.ts";
import type { TestGateway } from "../helpers/gateway.ts";

export interface Opened {
  url: string;
  protocols: string | string[] | undefined;
}

/** The runtime's WebSocket, noting the URL and protocols of every socket it creates. */
export function recordingWebSocket(opened: Opened[]): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      opened.push({ url, protocols });
      super(url, protocols);
    }
  };
}

/** A getTicket that mints from whichever gateway `current()` returns, and keeps every ticket. */
export function mintingSource(
  current: () => TestGateway,
  body: Record<string, unknown> = { subject: "alice" },
) {
  const tickets: string[] = [];
  const getTicket = async () => {
    const ticket = await current().mint(body);
    tickets.push(ticket);
    return ticket;
  };
  return { tickets, getTicket };
}

/** Resolves with the next payload of a client event, or rejects after `timeoutMs`. */
export function nextEvent<K extends keyof ClientEvents>(
  client: TicketgateClient,
  event: K,
  timeoutMs = 5000,
  accept: (payload: ClientEvents[K]) => boolean = () => true,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Polls a condition every 20 ms until it holds or `timeoutMs` passes. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
}
