/**
 * The per-session message rate limit: a token bucket held as two numbers on the session
 * (`tokens`, `refilledAt`), so it costs no object, closure or timer per session.
 */

export interface RateLimit {
  /** Tokens added per second: the sustained rate. */
  perSecond: number;
  /** Bucket size: how many frames may arrive back to back after a quiet spell. */
  burst: number;
}

/** `ok`: handle the frame; `limited`: answer it with `rate_limited`; `close`: end the session. */
export type RateDecision = "ok" | "limited" | "close";

/** Burst allowed on top of the sustained rate, as a multiple of it (see the README table). */
export const BURST_FACTOR = 2;

export function rateLimitFor(messagesPerSecond: number): RateLimit {
  return { perSecond: messagesPerSecond, burst: messagesPerSecond * BURST_FACTOR };
}

/**
 * Takes one token for a frame arriving at `now` (ms). A refused frame still takes its
 * token, so the bucket goes into debt: a client that backs off pays the debt back with
 * time, one that keeps sending reaches a debt of a whole burst and is closed.
 */
export function takeToken(
  bucket: { tokens: number; refilledAt: number },
  limit: RateLimit,
  now: number,
): RateDecision {
  const elapsed = Math.max(0, now - bucket.refilledAt);
  bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsed * limit.perSecond) / 1000);
  bucket.refilledAt = now;
  bucket.tokens -= 1;
  if (bucket.tokens >= 0) return "ok";
  return bucket.tokens < -limit.burst ? "close" : "limited";
}
