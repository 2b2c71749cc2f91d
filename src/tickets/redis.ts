/** A ticket store in Redis, shared by every gateway node: single use and the cap hold across nodes. */
import type { RedisClient } from "bun";
import { createHash } from "node:crypto";
import { systemClock, type Clock } from "./clock.ts";
import { RequestPathRedis, withDeadline } from "./redis-connection.ts";
import {
  COUNT_SCRIPT,
  CONSUME_SCRIPT,
  PUT_SCRIPT,
  REVOKE_SCRIPT,
  type RedisScript,
} from "./redis-scripts.ts";
import type { ConsumeResult, PutResult, StoreLimits, TicketStore } from "./store.ts";
import { parseRecordJson, toGrant } from "./stored-grant.ts";
import type { TicketRecord } from "./ticket.ts";
import { StoreUnavailableError } from "./unavailable.ts";

export {
  checkRedisUrl,
  connectRedis,
  probeRedis,
  redactRedisUrl,
  type RedisUrlCheck,
} from "./redis-connection.ts";

export interface RedisStoreOptions extends StoreLimits {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…`. */
  url: string;
  /** Put before every key, so that several deployments can share one Redis. Default `ticketgate:`. */
  prefix?: string;
  clock?: Clock;
  /** Bound on each call, connecting included, in ms. Default 2000. */
  commandTimeoutMs?: number;
  /**
   * How long an expired ticket stays in Redis to be refused as `expired` (not `unknown`), in
   * ms. Default 5000, like the sweep of the other stores.
   */
  expiredGraceMs?: number;
}

const DEFAULT_PREFIX = "ticketgate:";
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
const DEFAULT_EXPIRED_GRACE_MS = 5_000;
/** After a failed connect, calls answer `unavailable` at once for this long instead of dialling. */
const RECONNECT_BACKOFF_MS = 250;

/**
 * Every call is bounded by `commandTimeoutMs` and settles with `unavailable` (or `false`,
 * or a `StoreUnavailableError` rejection for the two counting methods) when Redis does not
 * answer. The client runs without offline queue and without Bun's own reconnect loop: a
 * client that lost its connection, or whose command timed out, is closed and a new one is
 * dialled lazily by the next call. This is what lets service resume after an outage of any
 * length without a restart (Bun 1.4.4's reconnect loop gives up for good after ~31 s).
 *
 * Replies are checked for shape and for the echoed hash before they are trusted; a reply that
 * does not fit closes the client, since the connection may be out of step.
 */
export class RedisTicketStore implements TicketStore {
  readonly kind = "redis";
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly graceMs: number;
  private readonly redis: RequestPathRedis;

  constructor(private readonly options: RedisStoreOptions) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.graceMs = options.expiredGraceMs ?? DEFAULT_EXPIRED_GRACE_MS;
    this.redis = new RequestPathRedis({
      url: options.url,
      timeoutMs: this.timeoutMs,
      backoffMs: RECONNECT_BACKOFF_MS,
      closedError: () => new StoreUnavailableError("redis", "store closed"),
      reconnectingError: () => new StoreUnavailableError("redis", "reconnecting"),
    });
  }

  async put(hash: string, record: TicketRecord): Promise<PutResult> {
    const now = this.clock.now();
    const px = Math.max(1, record.expiresAt - now) + this.graceMs;
    const keys = [this.ticketKey(hash), this.liveKey(), this.subjectKey(record.subject)];
    const { subject, channels, metadata, expiresAt } = record;
    const json = JSON.stringify({ subject, channels, metadata, expiresAt });
    const args = [json, px, now, this.options.maxTickets, hash, record.expiresAt];

    const reply = await this.attempt(PUT_SCRIPT, keys, args.map(String), hash);
    if (reply === undefined) return { ok: false, reason: "unavailable" };
    if (reply[0] === "ok") return { ok: true };
    if (reply[0] === "full") return { ok: false, reason: "full" };
    // "exists": the hash is already stored. Tickets are 256 random bits, so this is a caller's
    // bug; the earlier grant is kept and this one refused.
    return { ok: false, reason: "unavailable" };
  }

  async consume(hash: string): Promise<ConsumeResult> {
    const now = this.clock.now();
    const keys = [this.ticketKey(hash), this.tombstoneKey(hash), this.liveKey()];
    const reply = await this.attempt(CONSUME_SCRIPT, keys, [hash, String(now)], hash);
    if (reply === undefined) return { ok: false, reason: "unavailable" };

    const [status, , payload] = reply;
    if (status === "unknown" || status === "expired") return { ok: false, reason: status };
    if (status === "tomb" && (payload === "used" || payload === "revoked"))
      return { ok: false, reason: payload };
    if (status !== "ok" || typeof payload !== "string") return { ok: false, reason: "unavailable" };

    const record = parseRecordJson(payload);
    if (record === undefined) return { ok: false, reason: "unavailable" };
    if (record.expiresAt <= now) return { ok: false, reason: "expired" };
    return { ok: true, grant: toGrant(record.subject, record.channels, record.metadata) };
  }

  async revokeSubject(subject: string): Promise<number> {
    const key = this.subjectKey(subject);
    const args = [String(this.clock.now()), this.prefix];
    const reply = await this.attempt(REVOKE_SCRIPT, [key, this.liveKey()], args, key);
    if (reply?.[0] === "revoked" && isCount(reply[2])) return reply[2];
    throw new StoreUnavailableError("redis", "revocation failed");
  }

  async outstanding(): Promise<number> {
    const key = this.liveKey();
    const reply = await this.attempt(COUNT_SCRIPT, [key], [String(this.clock.now())], key);
    if (reply?.[0] === "count" && isCount(reply[2])) return reply[2];
    throw new StoreUnavailableError("redis", "count failed");
  }

  async isReady(): Promise<boolean> {
    return (await this.attempt(undefined, [], [], "PONG")) !== undefined;
  }

  async close(): Promise<void> {
    this.redis.close();
  }

  /**
   * Runs a script (or PING when none is given) within the deadline. Returns the reply only
   * when it has the shape every script answers with and echoes `echo` (PING must answer
   * `echo` itself); anything else is `undefined`, which callers treat as unavailable.
   */
  private async attempt(
    script: RedisScript | undefined,
    keys: string[],
    args: string[],
    echo: string,
  ): Promise<Reply | undefined> {
    let client: RedisClient | undefined;
    const run = async () => {
      client = await this.redis.obtain();
      return script ? evalScript(client, script, keys, args) : client.send("PING", []);
    };
    let reply: unknown;
    try {
      reply = await withDeadline(run(), this.timeoutMs, "redis call");
    } catch (error) {
      // A server's error reply leaves the connection in step; a timeout or a drop may not.
      if (client && !isServerError(error)) this.redis.discard(client);
      return undefined;
    }

    if (script === undefined && reply === echo) return [echo, echo];
    if (script !== undefined && isReplyFor(reply, echo)) return reply;
    // A reply meant for another command: this connection is out of step, never reuse it.
    if (client) this.redis.discard(client);
    return undefined;
  }

  private ticketKey(hash: string): string {
    return `${this.prefix}t:${hash}`;
  }

  private tombstoneKey(hash: string): string {
    return `${this.prefix}d:${hash}`;
  }

  private liveKey(): string {
    return `${this.prefix}live`;
  }

  /** Subjects are hashed into the key: bounded length, no separators from user input. */
  private subjectKey(subject: string): string {
    return `${this.prefix}s:${createHash("sha256").update(subject).digest("base64url")}`;
  }
}

async function evalScript(
  client: RedisClient,
  script: RedisScript,
  keys: string[],
  args: string[],
) {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await client.send("EVALSHA", [script.sha1, ...tail]);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return client.send("EVAL", [script.source, ...tail]);
  }
}

/** A script's reply: a status word, the hash or key it concerns, then its payload. */
type Reply = [string, string, ...unknown[]];

function isReplyFor(reply: unknown, echo: string): reply is Reply {
  return Array.isArray(reply) && typeof reply[0] === "string" && reply[1] === echo;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isServerError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_REDIS_SERVER_ERROR" || code === "ERR_REDIS_INVALID_COMMAND";
}
