/**
 * The three abuse limits: minting per credential, upgrades per client address, failed
 * authentications per client address. Each refusal is a 429 problem with `Retry-After`.
 */
import { problemResponse } from "../http/problem.ts";
import type { MetricsRegistry } from "../observability/metrics.ts";
import { limitKeyForIp } from "./client-ip.ts";
import type { LimitDecision, RateLimiter, RateRule } from "./rate-limiter.ts";

export interface LimitSettings {
  /** Tickets per minute one credential (API key, or JWT subject) may mint. */
  mintPerMinute: number;
  /** Upgrade attempts per minute from one client address (an IPv6 /64). */
  upgradePerMinute: number;
  /** Failed authentications per minute from one client address before it is refused outright. */
  authFailuresPerMinute: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  mintPerMinute: 600,
  upgradePerMinute: 300,
  authFailuresPerMinute: 30,
};

export type LimitName = "mint" | "upgrade" | "auth_failure";

export function createAbuseMetrics(registry: MetricsRegistry) {
  return {
    limited: registry.counter(
      "ticketgate_rate_limited_total",
      "Requests refused with 429, by limit.",
    ),
    limiterErrors: registry.counter(
      "ticketgate_rate_limiter_errors_total",
      "Limit checks let through because the limiter failed.",
    ),
  };
}

export type AbuseMetrics = ReturnType<typeof createAbuseMetrics>;

export class AbuseLimits {
  private readonly mint: RateRule;
  private readonly upgrade: RateRule;
  private readonly authFailures: RateRule;

  constructor(
    readonly limiter: RateLimiter,
    settings: LimitSettings,
    private readonly metrics?: AbuseMetrics,
  ) {
    this.mint = { name: "mint", perMinute: settings.mintPerMinute };
    this.upgrade = { name: "upgrade", perMinute: settings.upgradePerMinute };
    this.authFailures = { name: "auth_failure", perMinute: settings.authFailuresPerMinute };
  }

  takeMint(credentialId: string): Promise<LimitDecision> {
    return this.count("mint", this.limiter.take(this.mint, credentialId));
  }

  takeUpgrade(clientIp: string): Promise<LimitDecision> {
    return this.count("upgrade", this.limiter.take(this.upgrade, limitKeyForIp(clientIp)));
  }

  /** Whether this address may still try to authenticate; spends nothing. */
  checkAuthFailures(clientIp: string): Promise<LimitDecision> {
    return this.count(
      "auth_failure",
      this.limiter.peek(this.authFailures, limitKeyForIp(clientIp)),
    );
  }

  /** Spends one failure from the address's budget. */
  async recordAuthFailure(clientIp: string): Promise<void> {
    await this.limiter.take(this.authFailures, limitKeyForIp(clientIp));
  }

  close(): Promise<void> {
    return this.limiter.close();
  }

  private async count(limit: LimitName, decision: Promise<LimitDecision>): Promise<LimitDecision> {
    const result = await decision;
    if (!result.ok) this.metrics?.limited.inc({ limit });
    return result;
  }
}

const LIMIT_DETAILS: Record<LimitName, string> = {
  mint: "Too many tickets requested with this credential; retry later.",
  upgrade: "Too many connection attempts from this address; retry later.",
  auth_failure: "Too many failed authentications from this address; retry later.",
};

/** The 429 answer: a fixed detail and the wait in whole seconds. */
export function tooManyRequests(
  limit: LimitName,
  retryAfter: number,
  headers: Record<string, string> = {},
): Response {
  return problemResponse(429, LIMIT_DETAILS[limit], {
    "retry-after": String(retryAfter),
    ...headers,
  });
}
