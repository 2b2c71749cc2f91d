/**
 * The single executable under test: taken from TICKETGATE_BINARY when CI built it already,
 * otherwise compiled once per run into a temporary directory with the `build` script's flags.
 */
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Compiling takes seconds here, but far longer on a busy two-core machine. */
export const BUILD_TIMEOUT_MS = 240_000;
const START_TIMEOUT_MS = 15_000;

export interface Binary {
  path: string;
  /** Removes the temporary build, if this run made one. */
  dispose(): void;
}

export async function obtainBinary(): Promise<Binary> {
  const given = process.env.TICKETGATE_BINARY;
  if (given) return { path: given, dispose: () => {} };

  const dir = mkdtempSync(join(tmpdir(), "ticketgate-binary-"));
  const path = join(dir, "ticketgate");
  const build = Bun.spawn(
    [process.execPath, "build", "--compile", "--target=bun", "src/main.ts", "--outfile", path],
    { cwd: ROOT, stdout: "pipe", stderr: "pipe" },
  );
  const timer = setTimeout(() => build.kill("SIGKILL"), BUILD_TIMEOUT_MS);
  const [code, stderr] = await Promise.all([build.exited, new Response(build.stderr).text()]);
  clearTimeout(timer);
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`bun build --compile failed (${code}): ${stderr}`);
  }
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningBinary extends AsyncDisposable {
  port: number;
  url: string;
  stdout(): string;
}

/**
 * Starts the binary in an empty working directory, so nothing it serves can come from a
 * source tree beside it, with only PATH and the given variables in its environment.
 */
export async function startBinary(
  binary: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningBinary> {
  const cwd = mkdtempSync(join(tmpdir(), "ticketgate-run-"));
  const proc: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(
    [binary, "--port", "0", "--host", "127.0.0.1", ...args],
    {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  let out = "";
  let err = "";
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of proc.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  void (async () => {
    for await (const chunk of proc.stderr) err += decoder.decode(chunk, { stream: true });
  })();

  const stop = async () => {
    if (proc.exitCode === null) process.kill(proc.pid, "SIGTERM");
    await proc.exited;
    rmSync(cwd, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let port = 0;
  while (port === 0) {
    const match = /"msg":"listening".*?"port":(\d+)/.exec(out);
    if (match) port = Number(match[1]);
    else if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the binary did not start: ${err}`);
    } else await Bun.sleep(20);
  }

  return { port, url: `http://127.0.0.1:${port}`, stdout: () => out, [Symbol.asyncDispose]: stop };
}
