/** One JSON object per line, with a level filter and a sink that tests can capture. */

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds the given fields to every line, e.g. `{ log: "audit" }`. */
  child(fields: LogFields): Logger;
}

/** Writes one finished line; stdout by default, an array in tests. */
export type LogSink = (line: string) => void;

import { writeSync } from "node:fs";

/** Lines waiting for the end of the current event-loop turn. */
let pending = "";
let flushScheduled = false;

/** Writes what is pending with one system call. Synchronous, so it is safe at exit. */
export function flushStdout(): void {
  flushScheduled = false;
  if (pending === "") return;
  const chunk = pending;
  pending = "";
  writeSync(1, chunk);
}

process.on("exit", flushStdout);

/**
 * Stdout, batched: lines written during one event-loop turn leave together, so a busy node
 * pays one write per turn instead of one per line. Nothing waits longer than that turn, and
 * whatever is pending is flushed when the process exits.
 */
export const stdoutSink: LogSink = (line) => {
  pending += line + "\n";
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushStdout);
};

/**
 * Builds a logger. Callers pass fields, never prose with values spliced in, and never a
 * secret: no ticket, key, token or query string. `redactSecrets` is a last line of defence
 * for strings that arrive from outside (error messages of libraries), not a licence.
 */
export function createLogger(
  level: LogLevel,
  sink: LogSink = stdoutSink,
  base: LogFields = {},
): Logger {
  const floor = LEVEL_RANK[level];

  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVEL_RANK[lvl] < floor) return;
    const line = { ts: isoNow(), level: lvl, msg, ...base, ...fields };
    // One pass over the finished line: a replacer function would take JSON.stringify off
    // its fast path for every field of every line.
    sink(
      redactSecrets(JSON.stringify(line, fields && hasError(fields) ? errorReplacer : undefined)),
    );
  };

  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

/** A logger that drops everything; for code paths built without one. */
export const silentLogger: Logger = createLogger("error", () => {}, {});

const SECRET_SHAPES =
  /tgt_[A-Za-z0-9_-]{8,}|tgk_[A-Za-z0-9_-]{8,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;

/** Masks anything shaped like a ticket, a generated key or a JWT inside a string. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_SHAPES, "[redacted]");
}

let isoAt = 0;
let iso = "";

/** The current time in ISO 8601, formatted once per millisecond however many lines share it. */
function isoNow(): string {
  const now = Date.now();
  if (now !== isoAt) {
    isoAt = now;
    iso = new Date(now).toISOString();
  }
  return iso;
}

function hasError(fields: LogFields): boolean {
  for (const key in fields) if (fields[key] instanceof Error) return true;
  return false;
}

/** Errors serialise as `{}` by default; keep their name and message (redacted with the line). */
function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

/** The path of a URL without its query: the only form in which a URL is logged. */
export function loggablePath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}
