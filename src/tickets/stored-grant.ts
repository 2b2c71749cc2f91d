/** Shape checks for grants read back from a persistent store, which are never trusted blindly. */
import type { ChannelGrant } from "../channels/grammar.ts";
import type { TicketGrant, TicketRecord } from "./ticket.ts";

export function isChannelGrantList(value: unknown): value is ChannelGrant[] {
  return Array.isArray(value) && value.every(isChannelGrant);
}

function isChannelGrant(value: unknown): value is ChannelGrant {
  if (typeof value !== "object" || value === null) return false;
  const { pattern, publish } = value as Record<string, unknown>;
  return typeof pattern === "string" && typeof publish === "boolean";
}

export function isMetadata(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Builds the grant a session receives: exactly the granted fields, nothing of the storage. */
export function toGrant(subject: string, channels: ChannelGrant[], metadata: unknown): TicketGrant {
  const grant: TicketGrant = { subject, channels };
  if (isMetadata(metadata)) grant.metadata = metadata;
  return grant;
}

/** Reads a record stored as JSON; `undefined` when any field is not what `put` wrote. */
export function parseRecordJson(json: string): TicketRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isMetadata(value)) return undefined;

  const { subject, channels, metadata, expiresAt } = value;
  if (typeof subject !== "string" || !isChannelGrantList(channels)) return undefined;
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) return undefined;
  if (metadata !== undefined && !isMetadata(metadata)) return undefined;
  return { ...toGrant(subject, channels, metadata), expiresAt };
}
