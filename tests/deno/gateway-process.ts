/**
 * A real ticketgate in a child process, for SDK tests that run under Deno (which cannot run
 * the server itself: Elysia's WebSocket routes need Bun). Started with `bun src/main.ts` on
 * port 0; the port comes from its first JSON log line.
 */
import { spawn, type ChildProcess } from "node:child_process";

export const API_KEY = "deno-test-key-0123456789abcdef";
const BUN = "node_modules/.bin/bun";
const START_TIMEOUT_MS = 15_000;

export interface GatewayProcess {
  port: number;
  url: string;
  wsUrl: string;
  mint(body?: Record<string, unknown>): Promise<string>;
  /** SIGTERM, then waits for the exit: sessions see close 1001. */
  stop(): Promise<void>;
}

export async function startGatewayProcess(port = 0): Promise<GatewayProcess> {
  const child = spawn(
    BUN,
    ["src/main.ts", "--port", String(port), "--host", "127.0.0.1", "--api-keys", API_KEY],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let listening: number;
  try {
    listening = await readListeningPort(child);
  } catch (error) {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    throw error;
  }
  const url = `http://127.0.0.1:${listening}`;

  return {
    port: listening,
    url,
    wsUrl: `ws://127.0.0.1:${listening}/ws`,
    async mint(body = { subject: "alice" }) {
      const res = await fetch(`${url}/api/v1/tickets`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`mint answered ${res.status}`);
      return ((await res.json()) as { ticket: string }).ticket;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        process.kill(child.pid, "SIGTERM");
      await exited;
    },
  };
}

function readListeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let errors = "";
    const timer = setTimeout(
      () => reject(new Error("ticketgate did not log 'listening' in time")),
      START_TIMEOUT_MS,
    );
    child.once("exit", (code) =>
      reject(new Error(`ticketgate exited early with ${code}: ${errors.slice(-500)}`)),
    );
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split("\n").slice(0, -1)) {
        const port = listeningPort(line);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(port);
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (errors += chunk));
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return entry.msg === "listening" && typeof entry.port === "number" ? entry.port : undefined;
  } catch {
    return undefined;
  }
}
