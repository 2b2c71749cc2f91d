/**
 * The channels a JWT grants (from a configurable claim) and the narrowing of a mint request
 * to them. The result is the exact intersection of two pattern sets, so a token holder can
 * never obtain a channel its identity provider did not grant.
 */
import {
  expandPattern,
  patternCovers,
  patternProblem,
  type ChannelGrant,
} from "../channels/grammar.ts";

/** Same cap as a mint request's `channels`. */
const MAX_CLAIM_ENTRIES = 64;

/**
 * Reads the claim: a list of patterns (strings, or `{pattern, publish}` objects) or one
 * space-separated string, the way OAuth writes scopes. Entries that are not valid patterns
 * are skipped: a bad entry grants nothing rather than failing the whole token.
 */
export function grantsFromClaim(value: unknown, subject: string): ChannelGrant[] {
  const entries: unknown[] =
    typeof value === "string"
      ? value.split(/\s+/).filter(Boolean)
      : Array.isArray(value)
        ? value
        : [];
  const grants: ChannelGrant[] = [];
  for (const entry of entries.slice(0, MAX_CLAIM_ENTRIES)) {
    const raw =
      typeof entry === "string" ? { pattern: entry, publish: true } : readObjectEntry(entry);
    if (raw === undefined || patternProblem(raw.pattern) !== null) continue;
    const pattern = expandPattern(raw.pattern, subject);
    if (pattern !== null) grants.push({ pattern, publish: raw.publish });
  }
  return grants;
}

function readObjectEntry(entry: unknown): ChannelGrant | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const { pattern, publish } = entry as Record<string, unknown>;
  if (typeof pattern !== "string") return undefined;
  return { pattern, publish: publish !== false };
}

/**
 * Every channel both sides admit. Two patterns of this grammar are either nested (one
 * covers the other, and the narrower one is the intersection) or disjoint, so pairwise
 * narrowing is exact. Publishing needs both sides to allow it.
 */
export function intersectGrants(
  requested: readonly ChannelGrant[],
  granted: readonly ChannelGrant[],
): ChannelGrant[] {
  const result = new Map<string, boolean>();
  const add = (pattern: string, publish: boolean) =>
    result.set(pattern, (result.get(pattern) ?? false) || publish);

  for (const want of requested) {
    for (const have of granted) {
      const publish = want.publish && have.publish;
      if (patternCovers(have.pattern, want.pattern)) add(want.pattern, publish);
      else if (patternCovers(want.pattern, have.pattern)) add(have.pattern, publish);
    }
  }
  return [...result].map(([pattern, publish]) => ({ pattern, publish }));
}
