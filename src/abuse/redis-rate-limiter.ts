/**
 * The same GCRA limits shared by every node through Redis: one Lua script reads and writes
 * the key atomically, so a client gets one budget whichever node it reaches. When Redis
 * does not answer, a limit lets the request through (and says so through `onError`): the
 * limits defend against abuse, and refusing every client during an outage would be an
 * outage of its own. The ticket store, on the same Redis, refuses on its own then.
 */
import type { RedisClient } from "bun";
import { createHash } from "node:crypto";
import { systemClock, type Clock } from "../tickets/clock.ts";
import { RequestPathRedis, withDeadline } from "../tickets/redis-connection.ts";
import {
  gcraParameters,
  retryAfterSeconds,
  type LimitDecision,
  type RateLimiter,
  type RateRule,
} from "./rate-limiter.ts";

/**
 * KEYS: bucket. ARGV: now, interval, window, spend ("1" takes, "0" peeks).
 * Reply: {"ok", key, 0} | {"limited", key, ms to wait}; the key is echoed so a reply meant
 * for another command is recognised.
 */
const GCRA_SCRIPT = `
local now = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local nextTat = tat + tonumber(ARGV[2])
local excess = nextTat - now - tonumber(ARGV[3])
if excess > 0 then return {'limited', KEYS[1], excess} end
if ARGV[4] == '1' then redis.call('SET', KEYS[1], nextTat, 'PX', nextTat - now) end
return {'ok', KEYS[1], 0}
`;
const GCRA_SHA1 = createHash("sha1").update(GCRA_SCRIPT).digest("hex");

const DEFAULT_TIMEOUT_MS = 500;
/** After a failed connect, skip Redis for this long instead of dialling on every request. */
const RECONNECT_BACKOFF_MS = 1_000;

export interface RedisLimiterOptions {
  url: string;
  /** Put before every key; the deployment's Redis prefix. */
  prefix: string;
  clock?: Clock;
  /** Bound on each call in ms; a limit check must never hold a request for long. */
  timeoutMs?: number;
  /** Told when a limit was let through because Redis failed. */
  onError?: (cause: string) => void;
}

export class RedisRateLimiter implements RateLimiter {
  readonly kind = "redis";
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly redis: RequestPathRedis;

  constructor(private readonly options: RedisLimiterOptions) {
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.redis = new RequestPathRedis({
      url: options.url,
      timeoutMs: this.timeoutMs,
      backoffMs: RECONNECT_BACKOFF_MS,
      closedError: () => new Error("limiter closed"),
      reconnectingError: () => new Error("reconnecting"),
    });
  }

  take(rule: RateRule, key: string): Promise<LimitDecision> {
    return this.run(rule, key, "1");
  }

  peek(rule: RateRule, key: string): Promise<LimitDecision> {
    return this.run(rule, key, "0");
  }

  async close(): Promise<void> {
    this.redis.close();
  }

  private async run(rule: RateRule, key: string, spend: "0" | "1"): Promise<LimitDecision> {
    if (rule.perMinute <= 0) return { ok: true };
    const bucket = `${this.options.prefix}rl:${rule.name}:${key}`;
    const { interval, window } = gcraParameters(rule.perMinute);
    const args = [String(this.clock.now()), String(interval), String(window), spend];

    let client: RedisClient | undefined;
    let reply: unknown;
    try {
      reply = await withDeadline(
        (async () => {
          client = await this.redis.obtain();
          return evalGcra(client, bucket, args);
        })(),
        this.timeoutMs,
        "rate limit",
      );
    } catch (error) {
      if (client) this.redis.discard(client);
      this.options.onError?.(error instanceof Error ? error.name : "error");
      return { ok: true };
    }

    if (!Array.isArray(reply) || reply[1] !== bucket) {
      if (client) this.redis.discard(client);
      this.options.onError?.("unexpected reply");
      return { ok: true };
    }
    if (reply[0] === "limited" && typeof reply[2] === "number")
      return { ok: false, retryAfterSeconds: retryAfterSeconds(reply[2]) };
    return { ok: true };
  }
}

async function evalGcra(client: RedisClient, bucket: string, args: string[]): Promise<unknown> {
  try {
    return await client.send("EVALSHA", [GCRA_SHA1, "1", bucket, ...args]);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return client.send("EVAL", [GCRA_SCRIPT, "1", bucket, ...args]);
  }
}
