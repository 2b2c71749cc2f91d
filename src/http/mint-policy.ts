/**
 * What a credential may put into a ticket, beyond what the body schema checks. A JWT holder
 * mints only for its own `sub`, only channels its token's claim grants (the intersection,
 * never wider) and no metadata, since sessions and backends may trust metadata as
 * written by a backend. Bindings are read and normalised here.
 */
import { isIP } from "node:net";
import { normalizeIp } from "../abuse/client-ip.ts";
import { intersectGrants } from "../auth/channel-claims.ts";
import type { Principal } from "../auth/credentials.ts";
import { bindGrant, isReservedMetadataKey, type TicketBinding } from "../tickets/binding.ts";
import type { TicketGrant } from "../tickets/ticket.ts";
import { HTTPError } from "./problem.ts";

/** A serialized origin as browsers send it: scheme, host (or [IPv6]), optional port. */
const ORIGIN = /^https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

export interface BindBody {
  origin?: string;
  client_ip?: string;
}

/** The grant as this principal may have it; throws 403 for what it may not ask. */
export function applyPrincipal(grant: TicketGrant, principal: Principal | undefined): TicketGrant {
  if (principal?.kind !== "jwt") return grant;
  if (grant.subject !== principal.subject)
    throw new HTTPError(403, "A token may only mint tickets for its own subject.");
  if (grant.metadata !== undefined)
    throw new HTTPError(403, "A token may not set metadata; a backend key may.");
  return { subject: grant.subject, channels: intersectGrants(grant.channels, principal.channels) };
}

/** Refuses metadata keys that ticketgate keeps for itself (the binding lives there). */
export function checkMetadataKeys(metadata: Record<string, unknown> | undefined): void {
  for (const key of Object.keys(metadata ?? {})) {
    if (!isReservedMetadataKey(key)) continue;
    const message = "keys starting with $ticketgate are reserved";
    throw new HTTPError(400, `Field /metadata: ${message}.`, {}, [{ field: "/metadata", message }]);
  }
}

/** Reads `bind` into a normalised binding; 400 naming the field when it is not usable. */
export function readBinding(bind: BindBody | undefined): TicketBinding {
  if (bind === undefined) return {};
  const fail = (field: string, message: string): never => {
    throw new HTTPError(400, `Field ${field}: ${message}.`, {}, [{ field, message }]);
  };

  const binding: TicketBinding = {};
  if (bind.origin !== undefined) {
    if (!ORIGIN.test(bind.origin))
      fail("/bind/origin", "must be an origin like https://app.example.com[:port]");
    binding.origin = bind.origin.toLowerCase();
  }
  if (bind.client_ip !== undefined) {
    if (isIP(bind.client_ip) === 0) fail("/bind/client_ip", "must be an IPv4 or IPv6 address");
    binding.clientIp = normalizeIp(bind.client_ip);
  }
  return binding;
}

/** Applies the principal's limits and the binding, in that order. */
export function finishGrant(
  grant: TicketGrant,
  principal: Principal | undefined,
  bind: BindBody | undefined,
): TicketGrant {
  checkMetadataKeys(grant.metadata);
  const binding = readBinding(bind);
  return bindGrant(applyPrincipal(grant, principal), binding);
}
