/**
 * Benchmark orchestrator: starts every server, runs each phase on each server in turn for
 * several rounds (rotating the order every round), and writes bench/RESULTS.md.
 *
 *   bun bench/run.ts            full run, under ten minutes on two cores
 *   bun bench/run.ts --quick    one-minute smoke run
 *   bun bench/run.ts --help     every size and selection flag
 *
 * Each phase runs in a fresh load-generator process (bench/load.ts). Every server and
 * child is stopped by its pid at the end, on failure, and on SIGINT/SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { USAGE, readConfig, type BenchConfig } from "./config.ts";
import { describeMachine } from "./lib/machine.ts";
import { hasRedis, startRedis, type RunningRedis } from "./lib/redis.ts";
import type { PhaseName, PhaseResult } from "./lib/result.ts";
import {
  startServer,
  stopAllStarted,
  stopProcess,
  tail,
  trackProcess,
  type RunningServer,
  type ServerLaunch,
} from "./lib/servers.ts";
import { hasWrk } from "./phases/mint-wrk.ts";
import { renderReport } from "./report.ts";
import type { RoundRecord } from "./summary.ts";
import { BUN, PROJECT_ROOT, TARGETS, type TargetName } from "./targets.ts";

const LOAD = join(PROJECT_ROOT, "bench/load.ts");

const config = readConfigOrExit();
const startedAt = new Date();
// Read now: others commit to this checkout while a run is going.
const machine = describeMachine(PROJECT_ROOT, BUN);
const t0 = performance.now();
const workDir = mkdtempSync(join(tmpdir(), "ticketgate-bench-"));
// A fresh key per run, shaped like ticketgate's generated keys; it dies with the run.
const apiKey = "tgk_" + randomBytes(32).toString("base64url");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping servers\n`);
    void stopAllStarted().finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

const skipped: { name: TargetName; reason: string }[] = [];
let startFailures = 0;
if (!hasWrk() && config.phases.includes("mint-wrk")) {
  config.phases = config.phases.filter((p) => p !== "mint-wrk");
  process.stderr.write("wrk not found at /usr/bin/wrk: skipping the mint-wrk phase\n");
}

const redis = await startRedisIfNeeded(config);
const launches = new Map<TargetName, ServerLaunch>();
const servers = await startServers(config, redis);
const records: RoundRecord[] = [];

try {
  for (let round = 1; round <= config.rounds; round++) {
    const names = [...servers.keys()];
    const order = names.map((_, i) => names[(i + round - 1) % names.length]!);
    for (const phase of config.phases) {
      for (const name of order) {
        if (!TARGETS[name].phases.includes(phase)) continue;
        // See hold.ts: RSS per session is only meaningful on a heap not grown by other phases.
        if (phase === "hold") await restart(name);
        const record = await measure(round, phase, name, servers.get(name)!);
        records.push(record);
        printProgress(record);
      }
    }
  }
} finally {
  await Promise.all([...servers.values()].map((server) => server.stop()));
  await redis?.stop();
  await stopAllStarted();
}

const failed = records.some((r) => r.error !== undefined) || startFailures > 0;
const report = renderReport({
  config,
  machine,
  command: commandLine(),
  startedAt,
  elapsedSeconds: (performance.now() - t0) / 1000,
  ran: [...servers.keys()],
  skipped,
  records,
});
writeFileSync(resolve(PROJECT_ROOT, config.out), report);
process.stdout.write("\n" + report + `\nwrote ${config.out}\n`);
if (failed) process.stdout.write(`some phases failed; server logs kept in ${workDir}\n`);
else rmSync(workDir, { recursive: true, force: true });

function readConfigOrExit(): BenchConfig {
  try {
    return readConfig(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

async function startRedisIfNeeded(cfg: BenchConfig): Promise<RunningRedis | undefined> {
  const wanted = cfg.servers.some((n) => TARGETS[n].needsRedis && !TARGETS[n].unavailable());
  if (!wanted) return undefined;
  if (!hasRedis()) return undefined;
  try {
    return await startRedis(workDir);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return undefined;
  }
}

/** Starts the selected servers one by one; a server that cannot start is reported, not fatal. */
async function startServers(cfg: BenchConfig, redisServer: RunningRedis | undefined) {
  const running = new Map<TargetName, RunningServer>();
  for (const name of cfg.servers) {
    const spec = TARGETS[name];
    const noRedis = spec.needsRedis && !redisServer ? "no redis-server to run against" : undefined;
    const unavailable = spec.unavailable() ?? noRedis;
    if (unavailable) {
      skipped.push({ name, reason: unavailable });
      continue;
    }
    const ctx = { apiKey, workDir, redisUrl: redisServer?.url };
    const launch = { name, argv: spec.argv(ctx), env: spec.env(ctx), logDir: workDir };
    try {
      const server = await startServer(launch);
      launches.set(name, launch);
      running.set(name, server);
      process.stderr.write(`started ${spec.label}: pid ${server.pid}, port ${server.port}\n`);
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message });
      startFailures++;
    }
  }
  return running;
}

/** Replaces a server with a fresh process; a failed start leaves the old, stopped one. */
async function restart(name: TargetName): Promise<void> {
  await servers.get(name)!.stop();
  try {
    servers.set(name, await startServer(launches.get(name)!));
  } catch (error) {
    process.stderr.write(`restart of ${name} failed: ${(error as Error).message}\n`);
    startFailures++;
  }
}

/** Runs one phase in a fresh load process against one server; never throws. */
async function measure(
  round: number,
  phase: PhaseName,
  target: TargetName,
  server: RunningServer,
): Promise<RoundRecord> {
  if (!server.isAlive()) {
    return { round, phase, target, error: `server exited: ${tail(server.stderrPath, 200)}` };
  }
  const argv = [BUN, LOAD, "--phase", phase, "--url", `http://127.0.0.1:${server.port}`]
    .concat(["--api-key", apiKey, "--pid", String(server.pid)])
    .concat(["--concurrency", String(config.concurrency), "--warmup-ms", String(config.warmupMs)])
    .concat(["--duration-ms", String(config.durationMs), "--max-ops", String(config.maxOps)])
    .concat(["--sessions", String(config.sessions), "--publishes", String(config.publishes)])
    .concat(["--timeout-ms", String(config.timeoutMs)]);

  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  trackProcess(proc);
  // The hold phase has its own bounds (open 120 s, close 30 s, one timeout per publish);
  // this outer bound only catches a load process that hangs anyway.
  const budgetMs =
    phase === "hold"
      ? 240_000 + config.publishes * config.timeoutMs
      : config.warmupMs + config.durationMs + 2 * config.timeoutMs + 30_000;
  const timer = setTimeout(() => void stopProcess(proc), budgetMs);
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);

  const line = out.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !line.startsWith("{")) {
    const why = err.trim().split("\n").slice(-3).join(" ").slice(0, 300);
    return { round, phase, target, error: `load exited ${code}: ${why}` };
  }
  return { round, phase, target, result: JSON.parse(line) as PhaseResult };
}

function printProgress({ round, phase, target, result, error }: RoundRecord): void {
  const label = TARGETS[target].label.padEnd(22);
  const head = `[round ${round}/${config.rounds}] ${phase.padEnd(8)} ${label}`;
  if (!result) return void process.stderr.write(`${head} FAILED ${error}\n`);
  const parts = [
    `${result.opsPerSecond.toFixed(0)}/s`,
    `${result.serverCpuPerOpMicros.toFixed(1)} µs/op`,
    `p50 ${result.p50Ms.toFixed(2)} ms`,
    `p99 ${result.p99Ms.toFixed(2)} ms`,
    `errors ${result.errors}`,
  ];
  if (result.hold) parts.push(`${result.hold.rssPerSessionBytes.toFixed(0)} B/session`);
  if (result.fanout) parts.push(`fan-out last ${result.fanout.lastDeliveryMs.toFixed(1)} ms`);
  process.stderr.write(`${head} ${parts.join(", ")}\n`);
}

/** The command as a reader would type it again, relative to the project root. */
function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/^[\w.,=/:-]+$/.test(a) ? a : `'${a}'`));
  const script = relative(PROJECT_ROOT, process.argv[1] ?? "bench/run.ts");
  return ["bun", script, ...args].join(" ");
}
