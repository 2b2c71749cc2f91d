/** Picks the hub the configuration implies: Redis pub/sub with the redis store, else local. */
import type { Config } from "../config.ts";
import type { Logger } from "../observability/logger.ts";
import { LocalHub, type Hub } from "./hub.ts";
import { RedisHub } from "./redis-hub.ts";

export type HubSettings = Pick<Config, "store" | "redisUrl" | "redisPrefix" | "sessionMaxAge">;

/**
 * With `store: redis`, connects a `RedisHub` sharing the store's Redis and key prefix, so
 * every node of one deployment meets on the same channels; throws one line (no password)
 * when Redis cannot be used. Otherwise a `LocalHub`: publish, presence and revocation reach
 * this node's sessions only. Close the hub on shutdown.
 */
export async function createHub(settings: HubSettings, logger: Logger): Promise<Hub> {
  if (settings.store !== "redis" || settings.redisUrl === undefined) return new LocalHub();
  return RedisHub.start({
    url: settings.redisUrl,
    prefix: settings.redisPrefix,
    logger,
    revocationRetentionMs: settings.sessionMaxAge * 1000,
  });
}
