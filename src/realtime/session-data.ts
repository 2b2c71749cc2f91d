/** What each socket carries: kept small, since one exists per live session. */
import type { ChannelGrant } from "../channels/grammar.ts";
import type { TicketGrant } from "../tickets/ticket.ts";

export interface SessionData {
  /** Server-made id; per-session maps are keyed by it, never by the socket wrapper. */
  id: string;
  subject: string;
  channels: ChannelGrant[];
  metadata: Record<string, unknown> | undefined;
  /** Epoch ms when the session opened, for the close log's duration. */
  openedAt: number;
  /** Log id of the ticket that opened the session (not the ticket). */
  ticketId: string;
}

export function newSessionData(grant: TicketGrant, ticketId: string): SessionData {
  return {
    id: "s_" + crypto.randomUUID().replaceAll("-", ""),
    subject: grant.subject,
    channels: grant.channels,
    metadata: grant.metadata,
    openedAt: Date.now(),
    ticketId,
  };
}
