/**
 * Mint phase driven by wrk (C, one thread) with mint.lua, when /usr/bin/wrk exists. wrk
 * needs far less CPU per request than a JavaScript client, so more of the second core is
 * left to the server and req/s reflects the server better than the fetch-driven phase.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PhaseResult } from "../lib/result.ts";
import { CpuWindow } from "../lib/result.ts";
import type { PhaseOptions } from "./options.ts";

export const WRK_PATH = "/usr/bin/wrk";
const SCRIPT = join(import.meta.dir, "mint.lua");

/** The JSON line mint.lua's done() prints. */
interface WrkSummary {
  requests: number;
  duration_us: number;
  status_errors: number;
  socket_errors: number;
  p50_us: number;
  p99_us: number;
}

export function hasWrk(): boolean {
  return existsSync(WRK_PATH);
}

export async function runMintWrkPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { endpoint, concurrency, warmupMs, durationMs, maxOps } = options;
  const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;
  const args = (ms: number, cap: number) => [
    WRK_PATH,
    ...["-t1", `-c${concurrency}`, `-d${seconds(ms)}`, "--timeout", seconds(options.timeoutMs)],
    ...["-s", SCRIPT, endpoint.baseUrl, "--", endpoint.apiKey, String(cap)],
  ];

  if (warmupMs > 0) await runWrk(args(warmupMs, maxOps), warmupMs);
  const cpu = new CpuWindow(options.serverPid);
  const summary = await runWrk(args(durationMs, maxOps), durationMs);
  const window = cpu.stop();

  const ok = summary.requests - summary.status_errors;
  const errors = summary.status_errors + summary.socket_errors;
  const errorSamples: string[] = [];
  if (errors > 0) {
    errorSamples.push(`${summary.status_errors} non-2xx, ${summary.socket_errors} socket errors`);
  }
  // wrk keeps the clock running after mint.lua stops its thread, so a run that hit the
  // count bound has no meaningful rate; the harness sizes the bound to make that rare.
  const capped = summary.requests >= maxOps;
  if (capped) errorSamples.push("count bound reached before the time bound: rate unknown");

  const elapsed = summary.duration_us / 1e6;
  return {
    phase: "mint-wrk",
    ok,
    errors,
    errorSamples,
    seconds: elapsed,
    opsPerSecond: capped ? Number.NaN : ok / elapsed,
    serverCpuMicros: window.serverCpuMicros,
    serverCpuPerOpMicros: ok > 0 ? window.serverCpuMicros / ok : Number.NaN,
    // wrk runs in its own process; our own CPU here says nothing about the generator.
    clientCpuPercent: Number.NaN,
    p50Ms: summary.p50_us / 1000,
    p99Ms: summary.p99_us / 1000,
  };
}

/** Runs wrk, killing it by pid if it overruns its own -d by far. */
async function runWrk(argv: string[], durationMs: number): Promise<WrkSummary> {
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), durationMs + 30_000);
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(killer);

  const line = out.split("\n").find((l) => l.startsWith('{"requests"'));
  if (code !== 0 || line === undefined) {
    throw new Error(`wrk exited ${code}: ${err.trim().slice(0, 200)}`);
  }
  return JSON.parse(line) as WrkSummary;
}
