/** Two gateways in one process sharing one Redis (store and hub) under a fresh key prefix. */
import { test } from "bun:test";
import { createLogger } from "../../src/observability/logger.ts";
import { RedisHub, type RedisHubOptions } from "../../src/realtime/redis-hub.ts";
import { RedisTicketStore } from "../../src/tickets/redis.ts";
import { startGateway, type TestGateway, type TestGatewayOptions } from "./gateway.ts";

/**
 * The Redis URL for tests, or `undefined` after a loud warning when none is set. In CI a
 * missing URL registers a failing test instead, so the suite cannot pass without them.
 */
export function redisTestUrl(what: string): string | undefined {
  const url = process.env.TICKETGATE_REDIS_URL;
  if (url) return url;
  if (process.env.CI === "true") {
    test(`${what} have a Redis to run against in CI`, () => {
      throw new Error(`CI=true but TICKETGATE_REDIS_URL is not set: ${what} did not run`);
    });
  } else {
    console.warn(
      `REDIS TESTS SKIPPED: set TICKETGATE_REDIS_URL=redis://127.0.0.1:<port> to run ${what}`,
    );
  }
  return undefined;
}

export interface Node {
  gw: TestGateway;
  hub: RedisHub;
  /** The hub's own log lines. */
  hubLogs: string[];
}

export interface NodeOptions {
  hub?: Partial<RedisHubOptions>;
  gateway?: TestGatewayOptions;
}

/** Starts one node: a Redis ticket store and a Redis hub on `url` under `prefix`. */
export async function startNode(
  url: string,
  prefix: string,
  options: NodeOptions = {},
): Promise<Node> {
  const hubLogs: string[] = [];
  const hub = await RedisHub.start({
    url,
    prefix,
    logger: createLogger("debug", (line) => hubLogs.push(line)),
    revocationRetentionMs: 3_600_000,
    ...options.hub,
  });
  const store = new RedisTicketStore({ url, prefix, maxTickets: 1000 });
  try {
    return { gw: await startGateway({ ...options.gateway, store, hub }), hub, hubLogs };
  } catch (error) {
    await hub.close();
    await store.close();
    throw error;
  }
}

/** A key prefix no other test shares. */
export function testPrefix(): string {
  return `tg-test-${crypto.randomUUID()}:`;
}
