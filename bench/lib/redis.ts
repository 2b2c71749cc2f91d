/**
 * A throwaway redis-server for the store comparison: its own port, its own temp directory,
 * no persistence, stopped by pid. Other engineers run Redis on this machine too, so the
 * port is chosen free at start and the server is checked to be ours before it is used.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { sleep } from "./closed-loop.ts";
import { stopProcess, tail, trackProcess } from "./servers.ts";

export const REDIS_SERVER = "/usr/bin/redis-server";
const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 10_000;

export interface RunningRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function hasRedis(): boolean {
  return existsSync(REDIS_SERVER);
}

export async function startRedis(workDir: string): Promise<RunningRedis> {
  const dir = join(workDir, "redis");
  mkdirSync(dir, { recursive: true });
  let lastError = "";

  // Another process can take the port between our check and redis binding it: retry.
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await findFreePort();
    const logfile = join(dir, `redis-${port}.log`);
    const proc = Bun.spawn(
      [REDIS_SERVER, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir].concat([
        "--save",
        "",
        "--appendonly",
        "no",
        "--logfile",
        logfile,
      ]),
      { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
    );
    trackProcess(proc);

    if (await waitForOwnRedis(port, proc.pid)) {
      return { url: `redis://127.0.0.1:${port}`, pid: proc.pid, stop: () => stopProcess(proc) };
    }
    lastError = tail(logfile);
    await stopProcess(proc);
  }
  throw new Error(`redis-server did not start: ${lastError}`);
}

/** Asks the kernel for a free port on 127.0.0.1 and releases it for the caller. */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Polls `INFO server` until it answers with our child's pid. Checking the pid, not just a
 * PONG, proves the port is served by the redis-server we started and not someone else's.
 */
async function waitForOwnRedis(port: number, pid: number): Promise<boolean> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const answeringPid = await askPid(port);
    if (answeringPid !== undefined) return answeringPid === pid;
    await sleep(100);
  }
  return false;
}

function askPid(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = "";
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once("connect", () => socket.write("INFO server\r\n"));
    socket.on("data", (data) => {
      text += data.toString();
      const match = /\r\nprocess_id:(\d+)\r\n/.exec(text);
      if (match === null) return;
      resolve(Number(match[1]));
      socket.destroy();
    });
    socket.once("error", () => resolve(undefined));
    socket.once("close", () => resolve(undefined));
  });
}
