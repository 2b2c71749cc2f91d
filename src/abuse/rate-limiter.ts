/**
 * Rate limits as GCRA (the generic cell rate algorithm): one number per key, the
 * "theoretical arrival time" of the next request. A limit of N per minute lets a burst of
 * N through at once and then one every 60/N seconds, with no window edge where 2N pass.
 * The same arithmetic runs here in memory and in Redis (redis-rate-limiter.ts).
 */
import { systemClock, type Clock } from "../tickets/clock.ts";

export interface RateRule {
  /** Names the limit in keys, logs and metrics: `mint`, `upgrade`, `auth_failure`. */
  name: string;
  /** Requests per minute; 0 turns the limit off. */
  perMinute: number;
}

export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  readonly kind: "memory" | "redis";
  /** Spends one unit of `key`'s budget under `rule`, or says how long to wait. */
  take(rule: RateRule, key: string): Promise<LimitDecision>;
  /** Whether one more unit would be allowed now, spending nothing. */
  peek(rule: RateRule, key: string): Promise<LimitDecision>;
  close(): Promise<void>;
}

const MINUTE_MS = 60_000;
/** Highest per-minute limit: one request per millisecond, the unit the arithmetic counts in. */
export const MAX_PER_MINUTE = MINUTE_MS;

/** Emission interval and burst window, both in whole ms so Redis (integers) agrees exactly. */
export function gcraParameters(perMinute: number): { interval: number; window: number } {
  const interval = Math.floor(MINUTE_MS / perMinute);
  return { interval, window: interval * perMinute };
}

/** One GCRA step: the next stored value, or how long until one more unit fits. */
export function gcraStep(stored: number | undefined, now: number, perMinute: number) {
  const { interval, window } = gcraParameters(perMinute);
  const tat = Math.max(stored ?? now, now);
  const next = tat + interval;
  const excess = next - now - window;
  return excess > 0 ? { ok: false as const, waitMs: excess } : { ok: true as const, next };
}

export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

export interface MemoryLimiterOptions {
  clock?: Clock;
  /** Most keys tracked at once; beyond it the oldest are forgotten (they regain full budget). */
  maxKeys?: number;
  /** How often keys back at full budget are dropped, in ms; 0 disables the timer. */
  sweepIntervalMs?: number;
}

const DEFAULT_MAX_KEYS = 100_000;
const DEFAULT_SWEEP_MS = 30_000;

/** Limits for one node. Map insertion order doubles as age order for eviction. */
export class MemoryRateLimiter implements RateLimiter {
  readonly kind = "memory";
  private readonly arrivals = new Map<string, number>();
  private readonly clock: Clock;
  private readonly maxKeys: number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    const every = options.sweepIntervalMs ?? DEFAULT_SWEEP_MS;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref?.();
    }
  }

  get size(): number {
    return this.arrivals.size;
  }

  async take(rule: RateRule, key: string): Promise<LimitDecision> {
    if (rule.perMinute <= 0) return { ok: true };
    const id = `${rule.name}\n${key}`;
    const step = gcraStep(this.arrivals.get(id), this.clock.now(), rule.perMinute);
    if (!step.ok) return { ok: false, retryAfterSeconds: retryAfterSeconds(step.waitMs) };

    this.arrivals.delete(id);
    if (this.arrivals.size >= this.maxKeys) this.sweep();
    if (this.arrivals.size >= this.maxKeys) this.evictOldest();
    this.arrivals.set(id, step.next);
    return { ok: true };
  }

  async peek(rule: RateRule, key: string): Promise<LimitDecision> {
    if (rule.perMinute <= 0) return { ok: true };
    const step = gcraStep(
      this.arrivals.get(`${rule.name}\n${key}`),
      this.clock.now(),
      rule.perMinute,
    );
    return step.ok
      ? { ok: true }
      : { ok: false, retryAfterSeconds: retryAfterSeconds(step.waitMs) };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.arrivals.clear();
  }

  /** Drops keys whose arrival time has passed: they are at full budget, as if never seen. */
  sweep(): void {
    const now = this.clock.now();
    for (const [id, tat] of this.arrivals) if (tat <= now) this.arrivals.delete(id);
  }

  private evictOldest(): void {
    const oldest = this.arrivals.keys().next().value;
    if (oldest !== undefined) this.arrivals.delete(oldest);
  }
}
