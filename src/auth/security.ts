/**
 * Everything that decides who may mint and who is abusing: credentials, the client-address
 * resolver and the abuse limits, built once at start-up and handed to the HTTP guard and
 * the upgrade gateway.
 */
import { ClientIpResolver, type ForwardedHeader } from "../abuse/client-ip.ts";
import { AbuseLimits, DEFAULT_LIMITS, type LimitSettings } from "../abuse/limits.ts";
import { MemoryRateLimiter, type RateLimiter } from "../abuse/rate-limiter.ts";
import { RedisRateLimiter } from "../abuse/redis-rate-limiter.ts";
import type { Config } from "../config-settings.ts";
import type { Logger } from "../observability/logger.ts";
import { systemClock, type Clock } from "../tickets/clock.ts";
import type { ApiKeyring } from "./api-keys.ts";
import { Authenticator } from "./credentials.ts";
import { JwtVerifier } from "./jwt.ts";

export interface Security {
  authenticator: Authenticator;
  limits: AbuseLimits;
  clientIps: ClientIpResolver;
  close(): Promise<void>;
}

export interface SecurityParts {
  keyring: ApiKeyring;
  jwt?: JwtVerifier | null;
  limiter?: RateLimiter;
  limits?: Partial<LimitSettings>;
  trustedProxies?: string[];
  forwardedHeader?: ForwardedHeader;
  clock?: Clock;
}

/** Assembles the parts; what is not given is off (JWT, proxies) or default (limits, in memory). */
export function createSecurity(parts: SecurityParts): Security {
  const clock = parts.clock ?? systemClock;
  const limiter = parts.limiter ?? new MemoryRateLimiter({ clock });
  const limits = new AbuseLimits(limiter, { ...DEFAULT_LIMITS, ...parts.limits });
  return {
    authenticator: new Authenticator(parts.keyring, parts.jwt ?? null, clock),
    limits,
    clientIps: new ClientIpResolver(parts.trustedProxies, parts.forwardedHeader),
    close: () => limits.close(),
  };
}

/** How often a Redis limiter failure is logged at most; each one is also counted. */
const LIMITER_WARNING_INTERVAL_MS = 10_000;

/**
 * Builds security from the configuration, for main.ts. The limits live in Redis when the
 * store does (so every node shares them), in memory otherwise. Throws an Error whose
 * message is one line naming the bad setting.
 */
export async function securityFromConfig(
  config: Config,
  keyring: ApiKeyring,
  logger: Logger,
): Promise<Security> {
  const jwt = await JwtVerifier.fromSettings({
    hs256Secret: config.jwtHs256Secret,
    publicKey: config.jwtPublicKey,
    algorithms: config.jwtAlgorithms,
    jwksUrl: config.jwksUrl,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    channelsClaim: config.jwtChannelsClaim,
  });

  let lastWarning = 0;
  const limiter =
    config.store === "redis" && config.redisUrl
      ? new RedisRateLimiter({
          url: config.redisUrl,
          prefix: config.redisPrefix,
          onError: (cause) => {
            if (Date.now() - lastWarning < LIMITER_WARNING_INTERVAL_MS) return;
            lastWarning = Date.now();
            logger.warn("rate limit skipped: redis failed", { cause });
          },
        })
      : new MemoryRateLimiter();

  return createSecurity({
    keyring,
    jwt,
    limiter,
    limits: {
      mintPerMinute: config.rateMint,
      upgradePerMinute: config.rateUpgrade,
      authFailuresPerMinute: config.rateAuthFailures,
    },
    trustedProxies: config.trustedProxies,
    forwardedHeader: config.forwardedHeader,
  });
}
