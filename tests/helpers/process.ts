/** Runs the real entry point (`bun src/main.ts`) as a child process and reads its output. */
import type { Subprocess } from "bun";

const BUN = process.execPath;
const MAIN = new URL("../../src/main.ts", import.meta.url).pathname;

export interface ServerProcess extends AsyncDisposable {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  url: string;
  /** Everything written to stdout so far (JSON log lines). */
  stdout(): string;
  stderr(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Collects a stream into a growing string without blocking the caller. */
function collect(stream: ReadableStream<Uint8Array>): () => string {
  let text = "";
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })();
  return () => text;
}

/** Starts the server and resolves once it logs `listening`. */
export async function startProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const proc = Bun.spawn([BUN, MAIN, "--port", "0", "--host", "127.0.0.1", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout = collect(proc.stdout);
  const stderr = collect(proc.stderr);

  const deadline = Date.now() + 10_000;
  let port = 0;
  while (Date.now() < deadline && port === 0) {
    const match = /"msg":"listening".*?"port":(\d+)/.exec(stdout());
    if (match) port = Number(match[1]);
    else if (proc.exitCode !== null) break;
    else await Bun.sleep(20);
  }
  if (port === 0) {
    proc.kill();
    throw new Error(`server did not start: ${stderr()}`);
  }

  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (proc.exitCode === null) proc.kill(signal);
    return await proc.exited;
  };
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout,
    stderr,
    stop,
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** Runs the entry point to completion (for start-up failures and --help). */
export async function runToExit(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([BUN, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  const [code, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}
