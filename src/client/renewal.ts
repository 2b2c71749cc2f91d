/**
 * Renewing a session before its maximum age: a fresh ticket sent in a `reauth` frame keeps
 * the same socket and subscriptions, where a 4002 close would cost a reconnect.
 */

/** Renew this long before expiry at most; sessions usually live for an hour. */
const MAX_LEAD_MS = 60_000;
/** Renew when this share of the session's remaining life is left, if that is shorter. */
const LEAD_SHARE = 0.2;
/** Below this much remaining life (or when the clocks disagree that much) leave it to 4002. */
const MIN_REMAINING_MS = 1_000;

/**
 * Milliseconds until the renewal, or undefined for none. The server's `expires_at` is read
 * against the local clock; a clock that runs ahead makes the renewal early (harmless) or
 * skipped (the server then closes with 4002 and the client reconnects). The moment falls at
 * random in the last half of the lead, so sessions opened together do not renew together.
 */
export function renewalDelay(
  expiresAt: string | undefined,
  now: number,
  random: () => number,
): number | undefined {
  if (expiresAt === undefined) return undefined;
  const remaining = Date.parse(expiresAt) - now;
  if (!(remaining > MIN_REMAINING_MS)) return undefined;
  const lead = Math.min(MAX_LEAD_MS, remaining * LEAD_SHARE);
  return Math.floor(remaining - lead + random() * (lead / 2));
}

/** One pending renewal at a time; scheduling again replaces it. */
export class RenewalTimer {
  #timer: ReturnType<typeof setTimeout> | undefined;

  schedule(delayMs: number | undefined, renew: () => void): void {
    this.cancel();
    if (delayMs !== undefined) this.#timer = setTimeout(renew, delayMs);
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
