/**
 * Redis URLs and connections: validation, redaction, the request-path client that redials
 * after failure, a bounded connect and a start-up probe.
 */
import { RedisClient, type RedisOptions } from "bun";
import { connect as connectTcp } from "node:net";

export type RedisUrlCheck =
  | { ok: true; host: string; port: number; db: number; tls: boolean; redacted: string }
  | { ok: false; problem: string };

const DEFAULT_REDIS_PORT = 6379;
/** Redis's own ceiling is the server's `databases` setting; this only refuses nonsense. */
const MAX_DB_INDEX = 1_000_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const URL_SHAPE = "expected redis://[user:password@]host[:port][/db] or rediss://…";

/**
 * Checks a Redis URL the way start-up needs: the scheme, a host, the port, a database number
 * and a decodable password. The `problem` text names what is wrong and never repeats the
 * URL, which may hold a password.
 */
export function checkRedisUrl(url: string): RedisUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: `not a valid URL (${URL_SHAPE})` };
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    return {
      ok: false,
      problem: `unsupported scheme "${parsed.protocol.slice(0, 20)}" (${URL_SHAPE})`,
    };
  }
  if (parsed.hostname === "") return { ok: false, problem: `no host (${URL_SHAPE})` };
  if (parsed.search !== "" || parsed.hash !== "") {
    return {
      ok: false,
      problem: "query strings and fragments are not supported; put the db number in the path",
    };
  }
  try {
    decodeURIComponent(parsed.username);
    decodeURIComponent(parsed.password);
  } catch {
    return { ok: false, problem: "the user or password has a malformed %-escape" };
  }

  const db = parseDbIndex(parsed.pathname);
  if (db === undefined) {
    return { ok: false, problem: `the path must be a database number such as /0 (${URL_SHAPE})` };
  }
  const port = parsed.port === "" ? DEFAULT_REDIS_PORT : Number(parsed.port);
  const tls = parsed.protocol === "rediss:";
  return { ok: true, host: parsed.hostname, port, db, tls, redacted: redactRedisUrl(url) };
}

/** The URL with any `user:password@` replaced, safe for logs and error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return parsed.toString();
    parsed.username = "***";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "<invalid redis URL>";
  }
}

/** `host:port` of a URL for messages, without credentials. */
export function redisAddress(url: string): string {
  const check = checkRedisUrl(url);
  return check.ok ? `${check.host}:${check.port}` : "<invalid redis URL>";
}

function parseDbIndex(pathname: string): number | undefined {
  if (pathname === "" || pathname === "/") return 0;
  if (!/^\/\d{1,7}$/.test(pathname)) return undefined;
  const db = Number(pathname.slice(1));
  return db <= MAX_DB_INDEX ? db : undefined;
}

/**
 * Options for a client on a request path: no offline queue (a command while disconnected
 * fails at once instead of waiting) and no automatic reconnect. Bun 1.4.4's reconnect loop
 * gives up for good after ~31 s and holds the first command of a never-connected client for
 * as long; callers of these options replace a dead client with a new one instead.
 */
export function requestPathOptions(timeoutMs: number): RedisOptions {
  return { enableOfflineQueue: false, autoReconnect: false, connectionTimeout: timeoutMs };
}

/** What a request-path connection needs: where, how long to wait, how long to back off. */
export interface RequestPathRedisOptions {
  url: string;
  /** Bound on a connect in ms (Bun's `connectionTimeout`). */
  timeoutMs: number;
  /** After a failed connect, refuse at once for this long instead of dialling on every call. */
  backoffMs: number;
  /** The caller's own error for a call after `close()`. */
  closedError: () => Error;
  /** The caller's own error for a call during the back-off. */
  reconnectingError: () => Error;
}

/**
 * The one client of a request path (ticket store, rate limiter), made with
 * `requestPathOptions`: dialled on first use, dropped when it fails and dialled again by the
 * next call after a back-off. Concurrent calls share one dial. Callers bound each call
 * themselves and `discard` a client they no longer trust (timeout, drop, reply out of step).
 */
export class RequestPathRedis {
  private client: RedisClient | undefined;
  private connecting: Promise<RedisClient> | undefined;
  private retryAt = 0;
  private closed = false;

  constructor(private readonly options: RequestPathRedisOptions) {}

  /** A connected client: the current one, or a freshly dialled one. */
  obtain(): Promise<RedisClient> {
    if (this.closed) return Promise.reject(this.options.closedError());
    const current = this.client;
    if (current?.connected) return Promise.resolve(current);
    if (current) this.discard(current);

    this.connecting ??= this.dial().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Closes `client`; the next `obtain()` dials a new one. */
  discard(client: RedisClient): void {
    if (this.client === client) this.client = undefined;
    client.close();
  }

  close(): void {
    this.closed = true;
    this.client?.close();
    this.client = undefined;
  }

  private async dial(): Promise<RedisClient> {
    if (Date.now() < this.retryAt) throw this.options.reconnectingError();

    const client = new RedisClient(this.options.url, requestPathOptions(this.options.timeoutMs));
    try {
      await client.connect();
    } catch (error) {
      client.close();
      this.retryAt = Date.now() + this.options.backoffMs;
      throw error;
    }
    // close() may have run while this dial was in flight: nobody would close this client.
    if (this.closed) {
      client.close();
      throw this.options.closedError();
    }
    this.client = client;
    return client;
  }
}

/**
 * Creates a client and connects it within `timeoutMs`; rejects with a one-line error that
 * names `host:port` only. Options override the request-path defaults (a pub/sub hub may want
 * `autoReconnect: true`, and must `duplicate()` its subscriber).
 */
export async function connectRedis(
  url: string,
  options: RedisOptions & { timeoutMs?: number } = {},
): Promise<RedisClient> {
  const { timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, ...overrides } = options;
  const client = new RedisClient(url, { ...requestPathOptions(timeoutMs), ...overrides });
  try {
    await withDeadline(client.connect(), timeoutMs, "connect");
    return client;
  } catch (error) {
    client.close();
    throw new Error(`cannot connect to redis at ${redisAddress(url)} (${describeError(error)})`);
  }
}

/**
 * Finds out why Redis cannot be used, for a start-up message: a TCP probe tells a refused
 * port from an unknown host or silence; a session tells a bad password or db index.
 * Returns `undefined` when a PING succeeds. Settles within `timeoutMs`.
 */
export async function probeRedis(url: string, timeoutMs: number): Promise<string | undefined> {
  const check = checkRedisUrl(url);
  if (!check.ok) return check.problem;

  const started = Date.now();
  const tcpProblem = await probeTcp(check.host, check.port, timeoutMs);
  if (tcpProblem !== undefined) return tcpProblem;

  const left = Math.max(1, timeoutMs - (Date.now() - started));
  const client = new RedisClient(url, requestPathOptions(left));
  try {
    await withDeadline(client.connect(), left, "connect");
  } catch (error) {
    client.close();
    if (isTimeout(error)) {
      const hint = check.tls ? "; does the server speak TLS?" : "";
      return `the port answers but no redis session within ${timeoutMs} ms${hint}`;
    }
    const tls = check.tls ? "" : ", whether the server wants TLS (rediss://)";
    return `the port answers but the redis session failed: check the password${tls} and the db number`;
  }
  try {
    const reply: unknown = await withDeadline(client.send("PING", []), left, "PING");
    return reply === "PONG" ? undefined : "unexpected reply to PING";
  } catch (error) {
    return isTimeout(error) ? `no answer within ${timeoutMs} ms` : describeError(error);
  } finally {
    client.close();
  }
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    const finish = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    socket.once("connect", () => finish(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) => finish(describeSocketError(error)));
  });
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return "host not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ETIMEDOUT":
      return "connection timed out";
    default:
      return error.code ?? "connection failed";
  }
}

/** A short cause for a message: a code or the server's reply text, never the URL. */
export function describeError(error: unknown): string {
  if (isTimeout(error)) return error.message;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_REDIS_SERVER_ERROR" || code === "ERR_REDIS_INVALID_COMMAND")
      return error.message;
    if (code === "ERR_REDIS_CONNECTION_CLOSED") return "connection closed";
    if (code === "ERR_REDIS_AUTHENTICATION_FAILED") return "authentication failed";
    if (typeof code === "string") return code;
  }
  return "unknown failure";
}

/** Rejects after `ms` unless `promise` settles first. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}

function isTimeout(error: unknown): error is DeadlineError {
  return error instanceof DeadlineError;
}
