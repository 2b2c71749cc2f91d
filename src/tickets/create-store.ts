/** Picks and opens the ticket store that the configuration names. */
import { MemoryTicketStore, type MemoryStoreOptions } from "./memory.ts";
import { checkRedisUrl, probeRedis, redisAddress, withDeadline } from "./redis-connection.ts";
import { RedisTicketStore, type RedisStoreOptions } from "./redis.ts";
import { SqliteTicketStore, type SqliteStoreOptions } from "./sqlite.ts";
import type { TicketStore } from "./store.ts";

export type TicketStoreSettings =
  | ({ kind: "memory" } & MemoryStoreOptions)
  | ({ kind: "sqlite" } & SqliteStoreOptions)
  | ({ kind: "redis" } & RedisStoreOptions);

export interface OpenStoreOptions {
  /** Bound on proving the store reachable, in ms. Default 3000. */
  timeoutMs?: number;
  /** Setting named in error messages. Default `TICKETGATE_SQLITE_PATH` / `TICKETGATE_REDIS_URL`. */
  settingName?: string;
}

const DEFAULT_OPEN_TIMEOUT_MS = 3_000;

/**
 * Builds the store without touching the network: a Redis store connects on its first call.
 * A SQLite store opens its file here and throws when it cannot.
 */
export function createTicketStore(settings: TicketStoreSettings): TicketStore {
  switch (settings.kind) {
    case "memory":
      return new MemoryTicketStore(settings);
    case "sqlite":
      return new SqliteTicketStore(settings);
    case "redis":
      return new RedisTicketStore(settings);
  }
}

/**
 * Builds the store and proves within `timeoutMs` that it works, for start-up. Throws an
 * `Error` whose message is one line naming the setting and the cause, e.g.
 * `TICKETGATE_REDIS_URL: cannot reach redis at 127.0.0.1:6390 (connection refused)`;
 * the message never holds a password.
 */
export async function openTicketStore(
  settings: TicketStoreSettings,
  options: OpenStoreOptions = {},
): Promise<TicketStore> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
  switch (settings.kind) {
    case "memory":
      return createTicketStore(settings);
    case "sqlite":
      return openSqlite(settings, options.settingName ?? "TICKETGATE_SQLITE_PATH", timeoutMs);
    case "redis":
      return openRedis(settings, options.settingName ?? "TICKETGATE_REDIS_URL", timeoutMs);
  }
}

async function openSqlite(
  settings: SqliteStoreOptions,
  setting: string,
  timeoutMs: number,
): Promise<TicketStore> {
  const failure = (cause: string) =>
    new Error(
      `${setting}: cannot open the ticket database ${JSON.stringify(settings.path)} (${cause})`,
    );

  let store: SqliteTicketStore;
  try {
    store = new SqliteTicketStore(settings);
  } catch (error) {
    throw failure(oneLine(error instanceof Error ? error.message : String(error)));
  }
  // A plain query: the constructor already wrote the schema, so the file is writable.
  if (!(await withDeadline(store.isReady(), timeoutMs, "sqlite check").catch(() => false))) {
    await store.close();
    throw failure("it does not answer a query");
  }
  return store;
}

async function openRedis(
  settings: RedisStoreOptions,
  setting: string,
  timeoutMs: number,
): Promise<TicketStore> {
  const check = checkRedisUrl(settings.url);
  if (!check.ok) throw new Error(`${setting}: ${check.problem}`);

  const problem = await probeRedis(settings.url, timeoutMs);
  if (problem !== undefined) {
    throw new Error(
      `${setting}: cannot reach redis at ${redisAddress(settings.url)} (${oneLine(problem)})`,
    );
  }
  return new RedisTicketStore(settings);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}
