/**
 * In-band re-authentication: a session presents a fresh ticket for its own subject and, if
 * the ticket grants no more than the session holds, gets a new maximum age and the (possibly
 * narrower) grants of the ticket. Channels it may no longer read are unsubscribed. A bound
 * ticket must match the origin and address the session was opened from, as at the upgrade.
 */
import { isAllowed, isNarrowing } from "../channels/grammar.ts";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import type { Clock } from "../tickets/clock.ts";
import { checkBinding, unbindGrant } from "../tickets/binding.ts";
import type { TicketStore } from "../tickets/store.ts";
import { hashTicket, isWellFormedTicket, ticketLogId } from "../tickets/ticket.ts";
import type { ChannelPermission } from "../wire/protocol.ts";
import type { RawFrame } from "./commands.ts";
import { BOUND_REFUSED, TICKET_REFUSED } from "./gateway.ts";
import { withId, type Replies } from "./replies.ts";
import type { SessionData } from "./session-data.ts";
import type { Socket } from "./session.ts";

export interface ReauthDeps {
  store: TicketStore;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  replies: Replies;
  maxAgeMs: number;
}

const NOT_NARROWER =
  "A reauth ticket must be for the same subject and grant no more than the session holds.";
const OPEN = 1;

export async function reauthenticate(ws: Socket, frame: RawFrame, deps: ReauthDeps): Promise<void> {
  const { store, metrics, replies } = deps;
  const { ticket, id } = frame;
  const refuse = (reason: string, message: string) => {
    metrics.reauths.inc({ result: reason });
    replies.error(ws, "reauth_failed", message, id);
  };

  if (typeof ticket !== "string" || !isWellFormedTicket(ticket))
    return refuse("malformed", TICKET_REFUSED);

  const hash = hashTicket(ticket);
  const started = performance.now();
  const taken = await store.consume(hash);
  metrics.storeLatency.observe((performance.now() - started) / 1000);
  if (ws.readyState !== OPEN) return;

  if (!taken.ok) return refuse(taken.reason, TICKET_REFUSED);
  const d = ws.data;
  // Checked after the consume, like the upgrade does: a stolen bound ticket gets one try.
  const { grant, binding } = unbindGrant(taken.grant);
  const misplaced = checkBinding(binding, { origin: d.origin, clientIp: d.clientIp });
  if (misplaced) return refuse(misplaced, BOUND_REFUSED);
  if (grant.subject !== d.subject) return refuse("other_subject", NOT_NARROWER);
  if (!isNarrowing(grant.channels, d.channels)) return refuse("wider", NOT_NARROWER);

  d.channels = grant.channels;
  d.expiresAt = deps.clock.now() + deps.maxAgeMs;
  const dropped = ws.subscriptions.filter(
    (channel) => !isAllowed(d.channels, channel, "subscribe"),
  );
  for (const channel of dropped) ws.unsubscribe(channel);
  d.subscriptions -= dropped.length;

  metrics.ticketsRedeemed.inc();
  metrics.reauths.inc({ result: "ok" });
  deps.logger.info("session reauthenticated", {
    session: d.id,
    subject: d.subject,
    ticket_id: ticketLogId(hash),
  });
  const expires_at = new Date(d.expiresAt).toISOString();
  replies.send(ws, withId({ type: "reauthed", channels: wireGrants(d), expires_at, dropped }, id));
}

/** Grants as the welcome and reauthed frames list them: subscribe-only ones as objects. */
export function wireGrants(d: SessionData): ChannelPermission[] {
  return d.channels.map((g) =>
    g.publish ? g.pattern : { pattern: g.pattern, publish: false as const },
  );
}
