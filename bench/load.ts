/**
 * Load generator: runs one phase against one running server and prints one JSON line
 * with the PhaseResult. bench/run.ts starts it as a fresh process per phase, so each phase
 * begins with a clean heap and its own file-descriptor budget (hold opens up to ~19.5k).
 *
 *   bun bench/load.ts --phase connect --url http://127.0.0.1:3000 --api-key K --pid 1234
 *
 * Sizes: --concurrency --warmup-ms --duration-ms --max-ops --sessions --publishes --timeout-ms
 */
import { parseArgs } from "node:util";
import { runConnectPhase } from "./phases/connect.ts";
import { runHoldPhase } from "./phases/hold.ts";
import { runMintWrkPhase } from "./phases/mint-wrk.ts";
import { runMintPhase } from "./phases/mint.ts";
import type { PhaseOptions } from "./phases/options.ts";
import { PHASES, type PhaseName, type PhaseResult } from "./lib/result.ts";

/** One file descriptor per session in this process; the limit here is 20,000. */
const MAX_SESSIONS = 19_500;

const RUNNERS: Record<PhaseName, (options: PhaseOptions) => Promise<PhaseResult>> = {
  mint: runMintPhase,
  "mint-wrk": runMintWrkPhase,
  connect: runConnectPhase,
  hold: runHoldPhase,
};

const { values } = parseArgs({
  options: {
    phase: { type: "string" },
    url: { type: "string" },
    "api-key": { type: "string" },
    pid: { type: "string" },
    concurrency: { type: "string", default: "32" },
    "warmup-ms": { type: "string", default: "1000" },
    "duration-ms": { type: "string", default: "5000" },
    "max-ops": { type: "string", default: "1000000" },
    sessions: { type: "string", default: "10000" },
    publishes: { type: "string", default: "5" },
    "timeout-ms": { type: "string", default: "10000" },
  },
  strict: true,
});

const phase = values.phase as PhaseName;
if (!PHASES.includes(phase)) fail(`--phase must be one of ${PHASES.join(", ")}`);
const url = new URL(values.url ?? fail("--url is required"));
// Traffic goes to this machine only; a typo must not send load anywhere else.
if (url.hostname !== "127.0.0.1") fail("--url must point at 127.0.0.1");

const options: PhaseOptions = {
  endpoint: { baseUrl: url.origin, apiKey: values["api-key"] ?? fail("--api-key is required") },
  serverPid: positive("pid"),
  concurrency: positive("concurrency"),
  warmupMs: Number(values["warmup-ms"]),
  durationMs: positive("duration-ms"),
  maxOps: positive("max-ops"),
  sessions: Math.min(positive("sessions"), MAX_SESSIONS),
  publishes: Number(values.publishes),
  timeoutMs: positive("timeout-ms"),
};

let result: PhaseResult;
try {
  result = await RUNNERS[phase](options);
} catch (error) {
  fail(`${phase} failed: ${error instanceof Error ? error.message : String(error)}`);
}
process.stdout.write(JSON.stringify(result) + "\n");
// Pooled keep-alive connections would otherwise hold the process open for a while.
process.exit(0);

function positive(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`load: ${message}\n`);
  process.exit(2);
}
