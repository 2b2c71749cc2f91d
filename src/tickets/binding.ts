/**
 * Bound tickets: a mint request may tie its ticket to the Origin and/or the client address
 * that will redeem it. The binding travels inside the grant's metadata under a reserved
 * key, because every store already keeps metadata verbatim: a store that dropped a
 * separate field would silently unbind tickets, and this way none can. The gateway takes
 * the binding out before the session sees the metadata; mint bodies may not use the key.
 */
import type { TicketGrant } from "./ticket.ts";

export interface TicketBinding {
  /** Serialized origin, lower case: `https://app.example.com[:port]`. */
  origin?: string;
  /** Normalized client address (IPv4-mapped IPv6 written as IPv4). */
  clientIp?: string;
}

/** Longest origin a mint request may bind to; a longer Origin header can match no binding. */
export const MAX_BOUND_ORIGIN_LENGTH = 256;

/** Metadata keys starting with this are ticketgate's own. */
export const RESERVED_METADATA_PREFIX = "$ticketgate";
const BINDING_KEY = "$ticketgate.bind";

export type BindingRefusal = "bound_origin" | "bound_ip" | "bound_unreadable";

export function isReservedMetadataKey(key: string): boolean {
  return key.startsWith(RESERVED_METADATA_PREFIX);
}

/** The grant with the binding stored in it; unchanged when the binding is empty. */
export function bindGrant(grant: TicketGrant, binding: TicketBinding): TicketGrant {
  if (binding.origin === undefined && binding.clientIp === undefined) return grant;
  return { ...grant, metadata: { ...grant.metadata, [BINDING_KEY]: { ...binding } } };
}

/**
 * Splits a redeemed grant into what the session gets and the binding to check. A binding
 * that is present but unreadable is reported as such, so the gateway refuses it.
 */
export function unbindGrant(grant: TicketGrant): {
  grant: TicketGrant;
  binding: TicketBinding | "unreadable" | undefined;
} {
  const metadata = grant.metadata;
  if (metadata === undefined || !(BINDING_KEY in metadata)) return { grant, binding: undefined };

  const { [BINDING_KEY]: stored, ...rest } = metadata;
  const clean: TicketGrant = { subject: grant.subject, channels: grant.channels };
  if (Object.keys(rest).length > 0) clean.metadata = rest;
  return { grant: clean, binding: readBinding(stored) };
}

function readBinding(value: unknown): TicketBinding | "unreadable" {
  if (typeof value !== "object" || value === null) return "unreadable";
  const { origin, clientIp } = value as Record<string, unknown>;
  if (origin !== undefined && typeof origin !== "string") return "unreadable";
  if (clientIp !== undefined && typeof clientIp !== "string") return "unreadable";
  if (origin === undefined && clientIp === undefined) return "unreadable";
  return { ...(origin !== undefined && { origin }), ...(clientIp !== undefined && { clientIp }) };
}

/**
 * The Origin header as a binding names it (lower case), for a session to keep so its reauth
 * tickets are checked against it; undefined when absent or too long to match any binding.
 */
export function bindableOrigin(origin: string | null): string | undefined {
  if (origin === null || origin.length > MAX_BOUND_ORIGIN_LENGTH) return undefined;
  return origin.toLowerCase();
}

/** Null when the upgrade (or the session, for a reauth) comes from where the ticket was bound to. */
export function checkBinding(
  binding: TicketBinding | "unreadable" | undefined,
  actual: { origin: string | null | undefined; clientIp: string | undefined },
): BindingRefusal | null {
  if (binding === undefined) return null;
  if (binding === "unreadable") return "bound_unreadable";
  if (binding.origin !== undefined && binding.origin !== actual.origin?.toLowerCase())
    return "bound_origin";
  if (binding.clientIp !== undefined && binding.clientIp !== actual.clientIp) return "bound_ip";
  return null;
}
