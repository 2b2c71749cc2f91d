/**
 * Benchmark settings, from flags first and BENCH_* environment variables second. The
 * defaults are sized for a full run under ten minutes on two cores; `--quick` shrinks
 * everything to a smoke run of about a minute whose numbers are not for comparison.
 */
import { parseArgs } from "node:util";
import { PHASES, type PhaseName } from "./lib/result.ts";
import { TARGET_NAMES, type TargetName } from "./targets.ts";

export interface BenchConfig {
  quick: boolean;
  /** Each round runs every phase on every server once, in rotating order. */
  rounds: number;
  warmupMs: number;
  durationMs: number;
  /** Count bound of each measured window; far above what the time bound allows here. */
  maxOps: number;
  concurrency: number;
  /** Idle sessions in the hold phase; also the fan-out audience. */
  sessions: number;
  publishes: number;
  timeoutMs: number;
  servers: TargetName[];
  phases: PhaseName[];
  /** Server whose numbers the goals judge; another one only to test the harness. */
  candidate: TargetName;
  out: string;
}

const FULL = { rounds: 3, warmupMs: 1_000, durationMs: 5_000, sessions: 10_000, publishes: 5 };
const QUICK = { rounds: 2, warmupMs: 250, durationMs: 1_000, sessions: 2_000, publishes: 3 };

/** Flag name → environment variable name, e.g. duration-ms → BENCH_DURATION_MS. */
const envName = (flag: string) => "BENCH_" + flag.toUpperCase().replaceAll("-", "_");

export const USAGE = `usage: bun bench/run.ts [--quick] [options]
  --rounds N          rounds of alternating servers (default ${FULL.rounds}, quick ${QUICK.rounds})
  --warmup-ms MS      unmeasured warm-up before each window (default ${FULL.warmupMs})
  --duration-ms MS    measured window of mint and connect phases (default ${FULL.durationMs})
  --max-ops N         count bound of each window (default 1000000)
  --concurrency N     requests or cycles in flight (default 32)
  --sessions N        idle sessions held, also the fan-out audience
                      (default ${FULL.sessions}, quick ${QUICK.sessions}, max 19500)
  --publishes N       timed fan-out publishes per hold (default ${FULL.publishes})
  --timeout-ms MS     longest wait for one reply (default 10000)
  --servers LIST      comma list of ${TARGET_NAMES.join(", ")}
  --phases LIST       comma list of ${PHASES.join(", ")}
  --candidate NAME    server the goals judge (default ticketgate)
  --out PATH          report file (default bench/RESULTS.md)
Every flag also reads from BENCH_<FLAG>, e.g. BENCH_ROUNDS=5.`;

export function readConfig(argv: string[], env = process.env): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      help: { type: "boolean" },
      ...Object.fromEntries(
        ["rounds", "warmup-ms", "duration-ms", "max-ops", "concurrency", "sessions", "publishes"]
          .concat(["timeout-ms", "servers", "phases", "candidate", "out"])
          .map((flag) => [flag, { type: "string" as const }]),
      ),
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }

  const given = values as Record<string, string | boolean | undefined>;
  const raw = (flag: string): string | undefined => given[flag]?.toString() ?? env[envName(flag)];
  const quick = values.quick === true || env.BENCH_QUICK === "1";
  const sizes = quick ? QUICK : FULL;
  const num = (flag: string, fallback: number) => {
    const text = raw(flag);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${flag}: not a number: ${text}`);
    return value;
  };

  const servers = list(raw("servers"), TARGET_NAMES, "servers");
  const candidate = (raw("candidate") ?? "ticketgate") as TargetName;
  if (!TARGET_NAMES.includes(candidate)) {
    throw new Error(`--candidate: unknown server ${candidate}`);
  }

  return {
    quick,
    rounds: Math.max(1, Math.round(num("rounds", sizes.rounds))),
    warmupMs: num("warmup-ms", sizes.warmupMs),
    durationMs: Math.max(1_000, num("duration-ms", sizes.durationMs)),
    maxOps: Math.max(1, num("max-ops", 1_000_000)),
    concurrency: Math.max(1, num("concurrency", 32)),
    sessions: Math.min(19_500, Math.max(1, num("sessions", sizes.sessions))),
    publishes: num("publishes", sizes.publishes),
    timeoutMs: Math.max(1_000, num("timeout-ms", 10_000)),
    servers,
    phases: list(raw("phases"), PHASES, "phases"),
    candidate,
    out: raw("out") ?? "bench/RESULTS.md",
  };
}

/** Parses a comma list against the allowed names; absent means all of them, in order. */
function list<T extends string>(
  text: string | undefined,
  allowed: readonly T[],
  flag: string,
): T[] {
  if (text === undefined) return [...allowed];
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !allowed.includes(n as T));
  if (unknown.length > 0) throw new Error(`--${flag}: unknown ${unknown.join(", ")}`);
  return allowed.filter((name) => names.includes(name));
}
