/** Minting: a fresh ticket, its hash into the store, the ticket itself back to the caller once. */
import type { Clock } from "./clock.ts";
import type { TicketStore } from "./store.ts";
import { generateTicket, hashTicket, type TicketGrant } from "./ticket.ts";

export type MintResult =
  | { ok: true; ticket: string; hash: string; expiresAt: number }
  | { ok: false; reason: "full" | "unavailable" };

/** Stores the grant under the new ticket's hash for `ttlSeconds`. Input is already validated. */
export async function mintTicket(
  store: TicketStore,
  grant: TicketGrant,
  ttlSeconds: number,
  clock: Clock,
): Promise<MintResult> {
  const ticket = generateTicket();
  const hash = hashTicket(ticket);
  const expiresAt = clock.now() + ttlSeconds * 1000;

  const stored = await store.put(hash, { ...grant, expiresAt });
  if (!stored.ok) return stored;
  return { ok: true, ticket, hash, expiresAt };
}
