/** What each socket carries: kept small, since one exists per live session. */
import type { ChannelGrant } from "../channels/grammar.ts";
import type { TicketGrant } from "../tickets/ticket.ts";

/**
 * Plain numbers and strings only: no closures, timers or per-session collections (Bun keeps
 * the subscriptions natively), so an idle session costs little beyond Bun's own socket.
 */
export interface SessionData {
  /** Server-made id; per-session maps are keyed by it, never by the socket wrapper. */
  id: string;
  subject: string;
  /** What the session may do; replaced (only ever narrowed) by an in-band reauth. */
  channels: ChannelGrant[];
  metadata: Record<string, unknown> | undefined;
  /**
   * Epoch ms (wall clock) when the ticket was presented, i.e. before the store was asked.
   * A revocation recorded after this instant closes the session even if its upgrade
   * finished later.
   */
  openedAt: number;
  /** Epoch ms (injected clock) at which the session is closed with 4002; moved by reauth. */
  expiresAt: number;
  /** Rate-limit bucket: tokens left (negative while in debt) and when it was last refilled. */
  tokens: number;
  refilledAt: number;
  /** How many channels the session is subscribed to, for the per-session cap. */
  subscriptions: number;
  /**
   * Where the upgrade came from: its Origin (lower case, see `bindableOrigin`) and client
   * address. A reauth ticket bound elsewhere is refused against these, as at the upgrade.
   */
  origin: string | undefined;
  clientIp: string | undefined;
}

/** Where an upgrade came from, as the session keeps it. */
export type SessionPeer = Pick<SessionData, "origin" | "clientIp">;

export function newSessionData(
  grant: TicketGrant,
  peer: SessionPeer,
  openedAt = Date.now(),
): SessionData {
  return {
    // Given by the session table when the session opens (session-table.ts); empty until then.
    id: "",
    subject: grant.subject,
    channels: grant.channels,
    metadata: grant.metadata,
    openedAt,
    // Set by the session's open handler, which owns the clock and the limits.
    expiresAt: 0,
    tokens: 0,
    refilledAt: 0,
    subscriptions: 0,
    origin: peer.origin,
    clientIp: peer.clientIp,
  };
}
