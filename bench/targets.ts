/**
 * The servers the benchmark compares, how each is started, and which phases it takes part
 * in. The sqlite and redis variants of ticketgate only run the connect phase: the store
 * goal compares their connect rate with the memory store's.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PhaseName } from "./lib/result.ts";

export const PROJECT_ROOT = resolve(import.meta.dir, "..");
/** The pinned Bun of the project runs every Bun process, whichever `bun` is on PATH. */
export const BUN = join(PROJECT_ROOT, "node_modules/.bin/bun");
export const TICKETGATE_MAIN = join(PROJECT_ROOT, "src/main.ts");

export const TARGET_NAMES = [
  "ticketgate",
  "ticketgate-sqlite",
  "ticketgate-redis",
  "raw-bun",
  "node-ws",
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** What a target's command line may depend on. */
export interface LaunchContext {
  apiKey: string;
  workDir: string;
  redisUrl?: string;
}

export interface TargetSpec {
  name: TargetName;
  label: string;
  phases: readonly PhaseName[];
  needsRedis: boolean;
  /** Why the target cannot run on this checkout, or undefined when it can. */
  unavailable(): string | undefined;
  argv(ctx: LaunchContext): string[];
  env(ctx: LaunchContext): Record<string, string>;
}

const ALL_PHASES: readonly PhaseName[] = ["mint", "mint-wrk", "connect", "hold"];
const LISTEN = ["--port", "0", "--host", "127.0.0.1"];

/**
 * Ticketgate's own defaults, except where a default would stop the benchmark rather
 * than measure it:
 * - the outstanding-ticket cap (100k) fills within seconds of wrk minting without
 *   redeeming, after which the store answers 503;
 * - the mint limit per credential and the upgrade limit per address answer 429 long
 *   before benchmark rates (all load comes from one key and one address, and the highest
 *   accepted setting is 60,000 a minute), so both are 0, which skips them.
 */
const TICKETGATE_ENV = {
  TICKETGATE_MAX_TICKETS: "10000000",
  TICKETGATE_RATE_MINT: "0",
  TICKETGATE_RATE_UPGRADE: "0",
  TICKETGATE_DEMO: "false",
};

function ticketgate(store: "memory" | "sqlite" | "redis"): TargetSpec {
  const name: TargetName = store === "memory" ? "ticketgate" : `ticketgate-${store}`;
  return {
    name,
    label: `ticketgate (${store})`,
    phases: store === "memory" ? ALL_PHASES : ["connect"],
    needsRedis: store === "redis",
    unavailable: () => (existsSync(TICKETGATE_MAIN) ? undefined : "src/main.ts does not exist yet"),
    argv: (ctx) => [BUN, TICKETGATE_MAIN, ...LISTEN, "--api-keys", ctx.apiKey, "--store", store],
    env: (ctx) => {
      const sqlitePath = join(ctx.workDir, "tickets.sqlite");
      return {
        ...TICKETGATE_ENV,
        ...(store === "sqlite" ? { TICKETGATE_SQLITE_PATH: sqlitePath } : {}),
        ...(store === "redis" && ctx.redisUrl ? { TICKETGATE_REDIS_URL: ctx.redisUrl } : {}),
      };
    },
  };
}

const BASELINES = join(PROJECT_ROOT, "bench/baselines");

export const TARGETS: Record<TargetName, TargetSpec> = {
  ticketgate: ticketgate("memory"),
  "ticketgate-sqlite": ticketgate("sqlite"),
  "ticketgate-redis": ticketgate("redis"),
  "raw-bun": {
    name: "raw-bun",
    label: "raw Bun.serve",
    phases: ALL_PHASES,
    needsRedis: false,
    unavailable: () => undefined,
    argv: (ctx) => [BUN, join(BASELINES, "raw-bun.ts"), ...LISTEN, "--api-keys", ctx.apiKey],
    env: () => ({}),
  },
  "node-ws": {
    name: "node-ws",
    label: "Node + ws",
    phases: ALL_PHASES,
    needsRedis: false,
    unavailable: () => undefined,
    argv: (ctx) => ["node", join(BASELINES, "node-ws.mjs"), ...LISTEN, "--api-keys", ctx.apiKey],
    env: () => ({}),
  },
};
