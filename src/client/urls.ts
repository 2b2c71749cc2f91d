/** Where to connect, and what `getTicket` handed back, put into one shape. */
import { TicketgateError } from "./errors.ts";
import type { TicketSource } from "./options.ts";

/** Resolves a relative or http(s) URL against the page (when there is one) into ws(s)://. */
export function resolveSocketUrl(url: string | URL): string {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const resolved = page ? new URL(url, page) : new URL(url);
  if (resolved.protocol === "http:") resolved.protocol = "ws:";
  else if (resolved.protocol === "https:") resolved.protocol = "wss:";
  return resolved.href;
}

/** The ticket string, or null when `getTicket` asked the client to stop. */
export function normalizeTicket(source: TicketSource): string | null {
  if (source === null || source === undefined) return null;
  const ticket = typeof source === "string" ? source : source.ticket;
  if (typeof ticket !== "string" || ticket.length === 0)
    throw new TypeError(
      "getTicket must return a ticket string, an object with a ticket field, or null.",
    );
  return ticket;
}

/** Calls `getTicket` for one attempt; its failure becomes the attempt's error. */
export async function takeTicket(
  getTicket: () => TicketSource | Promise<TicketSource>,
): Promise<string | null | TicketgateError> {
  try {
    return normalizeTicket(await getTicket());
  } catch (cause) {
    return new TicketgateError("ticket_unavailable", "getTicket failed.", { cause });
  }
}
