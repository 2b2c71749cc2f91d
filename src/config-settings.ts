/** The table of settings: name, variable, flag, default, parser. README mirrors it. */
import { SECURITY_SETTINGS, type SecurityConfig } from "./auth/security-settings.ts";
import type { LogLevel } from "./observability/logger.ts";
import { LIMIT_RANGES } from "./realtime/limits.ts";

type Invalid = { invalid: string };
type Parser<T> = (raw: string) => T | Invalid;

export interface Setting {
  key: keyof Config;
  env: string;
  flag: string;
  help: string;
  default: unknown;
  /** Never echo the raw value in an error line. */
  secret?: boolean;
  parse: Parser<unknown>;
}

/** Credential, bound-ticket and abuse-limit settings live in auth/security-settings.ts. */
export interface Config extends SecurityConfig {
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  host: string;
  /** Raw API key entries: plain keys or `sha256:<hex>`; parsed by auth/api-keys.ts. */
  apiKeys: string[];
  /** Default ticket lifetime in seconds. */
  ticketTtl: number;
  /** Longest lifetime a mint request may ask for, in seconds. */
  ticketMaxTtl: number;
  /** Cap on outstanding tickets in the store. */
  maxTickets: number;
  /** Allowed `Origin` values for upgrades; undefined means any. */
  allowedOrigins: string[] | undefined;
  store: "memory" | "sqlite" | "redis";
  sqlitePath: string;
  redisUrl: string | undefined;
  redisPrefix: string;
  logLevel: LogLevel;
  /** Largest frame a session may send, in bytes; larger ones close the session with 1009. */
  maxFrameBytes: number;
  /** Frames per second a session may send (sustained); a burst of twice that is allowed. */
  messageRate: number;
  maxSessionsPerSubject: number;
  /** Seconds without traffic before a session is closed. */
  idleTimeout: number;
  /** Seconds after which a session is closed with 4002 unless it re-authenticated. */
  sessionMaxAge: number;
  /** Serve the demo page at `/`. */
  demo: boolean;
}

const int =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    if (!/^\d+$/.test(raw)) return { invalid: `must be a whole number from ${min} to ${max}` };
    const n = Number(raw);
    return n >= min && n <= max ? n : { invalid: `must be a whole number from ${min} to ${max}` };
  };

/** Session limits take their ranges from the one table the start-up check also uses. */
const limit = (key: keyof typeof LIMIT_RANGES): Parser<number> =>
  int(LIMIT_RANGES[key].min, LIMIT_RANGES[key].max);

const list: Parser<string[]> = (raw) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const oneOf =
  <T extends string>(...choices: T[]): Parser<T> =>
  (raw) =>
    (choices as string[]).includes(raw)
      ? (raw as T)
      : { invalid: `must be one of ${choices.join(", ")}` };

const bool: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  return { invalid: "must be true or false" };
};

const origins: Parser<string[]> = (raw) => {
  const entries = list(raw) as string[];
  for (const entry of entries) {
    if (entry === "*") continue;
    if (!/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(entry))
      return {
        invalid: `"${entry}" is not an origin like https://app.example.com[:port] or https://*.example.com`,
      };
  }
  return entries.map((e) => e.toLowerCase());
};

const redisUrl: Parser<string> = (raw) => {
  try {
    const url = new URL(raw);
    if (url.protocol !== "redis:" && url.protocol !== "rediss:")
      return { invalid: "must start with redis:// or rediss://" };
    const db = url.pathname.replace(/^\//, "");
    if (db !== "" && !/^\d{1,2}$/.test(db)) return { invalid: "database number must be 0-99" };
    return raw;
  } catch {
    return { invalid: "is not a URL like redis://[:password@]host:port[/db]" };
  }
};

const MAX_TTL_CEILING = 86_400;

export const SETTINGS: Setting[] = [
  {
    key: "port",
    env: "PORT",
    flag: "port",
    default: 3000,
    help: "TCP port to listen on (0: any free port)",
    parse: int(0, 65535),
  },
  {
    key: "host",
    env: "HOST",
    flag: "host",
    default: "0.0.0.0",
    help: "address to listen on",
    parse: (r) => r,
  },
  {
    key: "apiKeys",
    env: "TICKETGATE_API_KEYS",
    flag: "api-keys",
    default: [],
    secret: true,
    help: "comma-separated API keys (16+ characters) or sha256:<hex> digests; none: an ephemeral key is generated",
    parse: list,
  },
  {
    key: "ticketTtl",
    env: "TICKETGATE_TICKET_TTL",
    flag: "ticket-ttl",
    default: 30,
    help: "default ticket lifetime, seconds",
    parse: int(1, MAX_TTL_CEILING),
  },
  {
    key: "ticketMaxTtl",
    env: "TICKETGATE_TICKET_MAX_TTL",
    flag: "ticket-max-ttl",
    default: 300,
    help: "longest ticket lifetime a request may ask for, seconds",
    parse: int(1, MAX_TTL_CEILING),
  },
  {
    key: "maxTickets",
    env: "TICKETGATE_MAX_TICKETS",
    flag: "max-tickets",
    default: 100_000,
    help: "cap on outstanding tickets; a full store answers 503",
    parse: int(1, 100_000_000),
  },
  {
    key: "allowedOrigins",
    env: "TICKETGATE_ALLOWED_ORIGINS",
    flag: "allowed-origins",
    default: undefined,
    help: "comma-separated Origin allow-list for /ws (https://*.example.com allowed); unset: any origin",
    parse: origins,
  },
  {
    key: "store",
    env: "TICKETGATE_STORE",
    flag: "store",
    default: "memory",
    help: "ticket store: memory, sqlite or redis",
    parse: oneOf("memory", "sqlite", "redis"),
  },
  {
    key: "sqlitePath",
    env: "TICKETGATE_SQLITE_PATH",
    flag: "sqlite-path",
    default: "data/ticketgate.sqlite",
    help: "SQLite file of the sqlite store",
    parse: (r) => r,
  },
  {
    key: "redisUrl",
    env: "TICKETGATE_REDIS_URL",
    flag: "redis-url",
    default: undefined,
    secret: true,
    help: "redis:// or rediss:// URL of the redis store",
    parse: redisUrl,
  },
  {
    key: "redisPrefix",
    env: "TICKETGATE_REDIS_PREFIX",
    flag: "redis-prefix",
    default: "ticketgate:",
    help: "prefix of every Redis key, so deployments can share one Redis",
    parse: (r) =>
      /^[\w:.-]{1,64}$/.test(r) ? r : { invalid: "must be 1-64 of A-Z a-z 0-9 _ : . -" },
  },
  {
    key: "logLevel",
    env: "TICKETGATE_LOG_LEVEL",
    flag: "log-level",
    default: "info",
    help: "debug, info, warn or error",
    parse: oneOf<LogLevel>("debug", "info", "warn", "error"),
  },
  {
    key: "maxFrameBytes",
    env: "TICKETGATE_MAX_FRAME_BYTES",
    flag: "max-frame-bytes",
    default: 65_536,
    help: "largest frame a session may send; larger closes with 1009",
    parse: limit("maxFrameBytes"),
  },
  {
    key: "messageRate",
    env: "TICKETGATE_MESSAGE_RATE",
    flag: "message-rate",
    default: 50,
    help: "frames per second per session (burst: twice that)",
    parse: limit("messageRate"),
  },
  {
    key: "maxSessionsPerSubject",
    env: "TICKETGATE_MAX_SESSIONS_PER_SUBJECT",
    flag: "max-sessions-per-subject",
    default: 16,
    help: "concurrent sessions one subject may hold, per node",
    parse: limit("maxSessionsPerSubject"),
  },
  {
    key: "idleTimeout",
    env: "TICKETGATE_IDLE_TIMEOUT",
    flag: "idle-timeout",
    default: 120,
    help: "seconds after which a peer that answers no ping is dropped (8-960)",
    parse: limit("idleTimeout"),
  },
  {
    key: "sessionMaxAge",
    env: "TICKETGATE_SESSION_MAX_AGE",
    flag: "session-max-age",
    default: 3600,
    help: "seconds after which a session closes with 4002 unless re-authenticated",
    parse: limit("sessionMaxAge"),
  },
  {
    key: "demo",
    env: "TICKETGATE_DEMO",
    flag: "demo",
    default: true,
    help: "serve the demo page at /",
    parse: bool,
  },
  ...SECURITY_SETTINGS,
];
