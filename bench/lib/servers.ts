/**
 * Starts servers under test as child processes and stops them by pid. Each server listens
 * on port 0 and announces the port in a JSON log line (`"msg":"listening"`), so the harness
 * never guesses a free port. Logs go to files rather than pipes: a pipe that the harness
 * reads slowly would throttle a server that logs per request.
 */
import type { Subprocess } from "bun";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./closed-loop.ts";

export interface ServerLaunch {
  name: string;
  argv: string[];
  env?: Record<string, string>;
  /** Directory for the server's stdout/stderr files. */
  logDir: string;
  startTimeoutMs?: number;
}

export interface RunningServer {
  name: string;
  pid: number;
  port: number;
  stdoutPath: string;
  stderrPath: string;
  isAlive(): boolean;
  stop(): Promise<void>;
}

const POLL_MS = 50;
const STOP_GRACE_MS = 5_000;

/** Every child we started and have not yet reaped, so a signal can stop them all by pid. */
const started = new Set<Subprocess>();
/** Numbers log files, so a restarted server never finds its predecessor's port line. */
let launchCount = 0;

export async function startServer(launch: ServerLaunch): Promise<RunningServer> {
  const stem = join(launch.logDir, `${launch.name}-${++launchCount}`);
  const stdoutPath = `${stem}.stdout.log`;
  const stderrPath = `${stem}.stderr.log`;
  const proc = Bun.spawn(launch.argv, {
    env: { ...process.env, ...launch.env },
    stdin: "ignore",
    stdout: Bun.file(stdoutPath),
    stderr: Bun.file(stderrPath),
  });
  started.add(proc);

  const deadline = performance.now() + (launch.startTimeoutMs ?? 30_000);
  let port: number | undefined;
  while (port === undefined) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      started.delete(proc);
      throw new Error(`${launch.name} exited during start-up: ${tail(stderrPath)}`);
    }
    if (performance.now() > deadline) {
      await stopProcess(proc);
      throw new Error(`${launch.name} printed no "listening" line in time: ${tail(stderrPath)}`);
    }
    await sleep(POLL_MS);
    port = findListeningPort(stdoutPath);
  }

  return {
    name: launch.name,
    pid: proc.pid,
    port,
    stdoutPath,
    stderrPath,
    isAlive: () => proc.exitCode === null && proc.signalCode === null,
    stop: () => stopProcess(proc),
  };
}

/** The port from the first JSON line with `"msg":"listening"`, if it has been written. */
function findListeningPort(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    if (!line.includes('"listening"')) continue;
    try {
      const record = JSON.parse(line) as { msg?: unknown; port?: unknown };
      if (record.msg === "listening" && typeof record.port === "number") return record.port;
    } catch {
      // A line still being written is not JSON yet; the next poll reads it whole.
    }
  }
  return undefined;
}

/** SIGTERM, then SIGKILL if the process has not exited after a grace period. */
export async function stopProcess(proc: Subprocess): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGTERM");
    const exited = await Promise.race([proc.exited.then(() => true), sleep(STOP_GRACE_MS)]);
    if (exited !== true) proc.kill("SIGKILL");
    await proc.exited;
  }
  started.delete(proc);
}

/** Stops every child this module started; for signal handlers and final cleanup. */
export async function stopAllStarted(): Promise<void> {
  await Promise.all([...started].map(stopProcess));
}

/** Registers a child started elsewhere (redis-server, a load process) for stopAllStarted. */
export function trackProcess(proc: Subprocess): void {
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
}

/** The last few hundred characters of a log, for start-up error messages. */
export function tail(path: string, chars = 400): string {
  try {
    const text = readFileSync(path, "utf8").trim();
    return text.length > chars ? "…" + text.slice(-chars) : text || "(empty)";
  } catch {
    return "(no log)";
  }
}
