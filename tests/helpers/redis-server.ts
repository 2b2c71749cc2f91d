/** A throwaway redis-server on a loopback port, for tests that need a real one to stop and start. */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The redis-server binary, or `undefined` when this machine has none. */
export function findRedisServer(): string | undefined {
  return (
    Bun.which("redis-server") ??
    Bun.which("redis-server", { PATH: "/usr/bin:/usr/local/bin" }) ??
    undefined
  );
}

/** A port the kernel just handed out on 127.0.0.1; free unless someone takes it in between. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export class RedisServer {
  private process: ReturnType<typeof Bun.spawn> | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "ticketgate-redis-"));

  constructor(
    private readonly binary: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts the server and waits (bounded) until it accepts connections. */
  async start(): Promise<void> {
    if (this.process) throw new Error("redis-server already running");
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
    ];
    this.process = Bun.spawn([this.binary, ...args, "--dir", this.dir], {
      stdout: "ignore",
      stderr: "pipe",
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null)
        throw new Error(`redis-server exited with ${this.process.exitCode}`);
      if (await acceptsConnections(this.port)) return;
      await Bun.sleep(50);
    }
    throw new Error(`redis-server did not answer on port ${this.port} within 10 s`);
  }

  /** Kills the server by its pid (SIGKILL by default: a crash, not a shutdown) and waits for it. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    process.kill(child.pid, signal);
    await child.exited;
  }

  /** Freezes or thaws the server: a Redis that holds connections but never answers. */
  pause(paused: boolean): void {
    if (this.process) process.kill(this.process.pid, paused ? "SIGSTOP" : "SIGCONT");
  }

  async dispose(): Promise<void> {
    if (this.process) {
      this.pause(false);
      await this.stop();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function acceptsConnections(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}
