/**
 * Cheap checks of an upgrade request, done before any ticket is touched: RFC 6455 shape,
 * Origin allow-list, and where the ticket sits. Pure functions over headers and the URL.
 */
import { SUBPROTOCOL } from "../wire/protocol.ts";

export type HandshakeRefusal =
  { status: 405 | 400 | 426 | 403; reason: string } | { status: 401; reason: TicketRefusal };

/** Why a ticket was refused; the caller sees one generic 401, the log and counter see this. */
export type TicketRefusal =
  | "missing"
  | "malformed"
  | "duplicate"
  | "both_places"
  | "protocol_missing"
  | "unknown"
  | "expired"
  | "used"
  | "revoked";

/** Where the ticket came from decides whether the answer names the sub-protocol. */
export type TicketOffer = { ticket: string; viaProtocol: boolean; protocolOffered: boolean };

/** RFC 6455 4.1: the key is 16 random bytes, base64: 22 characters and `==`. */
const WEBSOCKET_KEY = /^[A-Za-z0-9+/]{22}==$/;

export function checkUpgradeHeaders(request: Request): HandshakeRefusal | null {
  if (request.method !== "GET") return { status: 405, reason: "method" };

  const headers = request.headers;
  if (
    !hasToken(headers.get("upgrade"), "websocket") ||
    !hasToken(headers.get("connection"), "upgrade")
  )
    return { status: 426, reason: "not_upgrade" };
  if (headers.get("sec-websocket-version") !== "13") return { status: 426, reason: "version" };
  if (!WEBSOCKET_KEY.test(headers.get("sec-websocket-key") ?? ""))
    return { status: 400, reason: "bad_key" };
  // RFC 6455 4.1: the opening handshake is a GET without a body.
  if (Number(headers.get("content-length") ?? 0) > 0 || headers.has("transfer-encoding"))
    return { status: 400, reason: "body" };
  return null;
}

/**
 * Origin allow-list. Browsers always send `Origin` on a WebSocket handshake, so a request
 * without one comes from a non-browser client, which cross-site WebSocket hijacking cannot
 * involve; it is allowed. `*.example.com` admits subdomains, not the bare domain.
 */
export function isOriginAllowed(
  origin: string | null,
  allowed: readonly string[] | undefined,
): boolean {
  if (allowed === undefined || origin === null) return true;
  const candidate = origin.toLowerCase();
  for (const entry of allowed) {
    if (entry === "*" || entry === candidate) return true;
    const star = entry.indexOf("*.");
    if (
      star > 0 &&
      candidate.startsWith(entry.slice(0, star)) &&
      candidate.endsWith(entry.slice(star + 1))
    ) {
      const host = candidate.slice(star, candidate.length - (entry.length - star - 1));
      if (/^[a-z0-9.-]+$/.test(host)) return true;
    }
  }
  return false;
}

/**
 * Finds the one ticket in the query (`?ticket=`) or the sub-protocol list (an entry beside
 * `ticketgate.v1`). Two tickets, or one in each place, are refused: a proxy or a client bug
 * must not make the server guess which one was meant.
 */
export function findTicket(
  url: string,
  protocolHeader: string | null,
): TicketOffer | TicketRefusal {
  const fromQuery = queryTickets(url);
  const protocols = protocolHeader === null ? [] : protocolHeader.split(",").map((p) => p.trim());
  const protocolOffered = protocols.includes(SUBPROTOCOL);
  const fromProtocol = protocols.filter((p) => p !== SUBPROTOCOL && p.startsWith("tgt_"));

  if (fromQuery.length > 1 || fromProtocol.length > 1) return "duplicate";
  if (fromQuery.length === 1 && fromProtocol.length === 1) return "both_places";
  if (fromProtocol.length === 1) {
    if (!protocolOffered) return "protocol_missing";
    return { ticket: fromProtocol[0]!, viaProtocol: true, protocolOffered };
  }
  if (fromQuery.length === 1) return { ticket: fromQuery[0]!, viaProtocol: false, protocolOffered };
  return "missing";
}

function queryTickets(url: string): string[] {
  const q = url.indexOf("?");
  if (q < 0) return [];
  return new URLSearchParams(url.slice(q + 1)).getAll("ticket");
}

function hasToken(value: string | null, token: string): boolean {
  if (value === null) return false;
  return value
    .toLowerCase()
    .split(",")
    .some((part) => part.trim() === token);
}
