/**
 * Turns per-round phase results into medians, ratios to raw Bun, and goal verdicts.
 *
 * Ratios are medians of per-round ratios, not ratios of medians: servers in one round ran
 * back to back, so a round's ratio cancels most of the machine's drift (other engineers'
 * tests share these two cores), which a ratio of medians taken across rounds would not.
 */
import type { PhaseName, PhaseResult } from "./lib/result.ts";
import { median } from "./lib/stats.ts";
import type { TargetName } from "./targets.ts";

export interface RoundRecord {
  round: number;
  target: TargetName;
  phase: PhaseName;
  result?: PhaseResult;
  error?: string;
}

export interface MetricSpec {
  id: string;
  label: string;
  phase: PhaseName;
  digits: number;
  pick(result: PhaseResult): number | undefined;
}

const metric = (
  id: string,
  label: string,
  digits: number,
  pick: MetricSpec["pick"],
): MetricSpec => ({ id, label, phase: id.split(".")[0] as PhaseName, digits, pick });

/** Every figure the report shows; the id's first part names the phase that measures it. */
export const METRICS: MetricSpec[] = [
  metric("mint.rps", "mint req/s (fetch)", 0, (r) => r.opsPerSecond),
  metric("mint.cpu", "server CPU µs / mint (fetch)", 1, (r) => r.serverCpuPerOpMicros),
  metric("mint-wrk.rps", "mint req/s (wrk)", 0, (r) => r.opsPerSecond),
  metric("mint-wrk.p50", "mint p50 ms (wrk)", 2, (r) => r.p50Ms),
  metric("mint-wrk.p99", "mint p99 ms (wrk)", 2, (r) => r.p99Ms),
  metric("mint-wrk.cpu", "server CPU µs / mint (wrk)", 1, (r) => r.serverCpuPerOpMicros),
  metric("connect.rate", "connect cycles/s", 0, (r) => r.opsPerSecond),
  metric("connect.p50", "connect cycle p50 ms", 2, (r) => r.p50Ms),
  metric("connect.p99", "connect cycle p99 ms", 2, (r) => r.p99Ms),
  metric("connect.cpu", "server CPU µs / connect cycle", 1, (r) => r.serverCpuPerOpMicros),
  metric("connect.client", "load generator CPU % (connect)", 0, (r) => r.clientCpuPercent),
  metric("hold.rss", "RSS bytes / idle session", 0, (r) => r.hold?.rssPerSessionBytes),
  metric("hold.cpu", "server CPU µs / session open (hold)", 1, (r) => r.serverCpuPerOpMicros),
  metric("hold.last", "fan-out last delivery ms", 1, (r) => r.fanout?.lastDeliveryMs),
  metric("hold.first", "fan-out first delivery ms", 1, (r) => r.fanout?.firstDeliveryMs),
  metric("hold.fan-cpu", "server CPU µs / delivery", 2, (r) => r.fanout?.serverCpuPerDelivery),
];

export const BASELINE: TargetName = "raw-bun";

/**
 * A window where more than this share of operations failed measured refusals, not the
 * flow (a rate limit, a full store): it stays in the rounds table but out of medians.
 */
export const MAX_ERROR_SHARE = 0.01;

export function isUsable(result: PhaseResult): boolean {
  return result.ok > 0 && result.errors <= MAX_ERROR_SHARE * (result.ok + result.errors);
}

/** A metric's values for one target, one per round it ran in (undefined where it failed). */
function perRound(records: RoundRecord[], metric: MetricSpec, target: TargetName) {
  const byRound = new Map<number, number>();
  for (const record of records) {
    if (record.target !== target || record.phase !== metric.phase) continue;
    if (!record.result || !isUsable(record.result)) continue;
    const value = metric.pick(record.result);
    if (value !== undefined && Number.isFinite(value)) byRound.set(record.round, value);
  }
  return byRound;
}

export function medianOf(records: RoundRecord[], metricId: string, target: TargetName): number {
  return median([...perRound(records, metricById(metricId), target).values()]);
}

/** Median over rounds of target/reference, using only rounds where both have a value. */
export function ratioOf(
  records: RoundRecord[],
  metricId: string,
  target: TargetName,
  reference: TargetName,
): number {
  const metric = metricById(metricId);
  const mine = perRound(records, metric, target);
  const theirs = perRound(records, metric, reference);
  const ratios: number[] = [];
  for (const [round, value] of mine) {
    const base = theirs.get(round);
    if (base !== undefined && base !== 0) ratios.push(value / base);
  }
  return median(ratios);
}

export function metricById(id: string): MetricSpec {
  const metric = METRICS.find((m) => m.id === id);
  if (!metric) throw new Error(`unknown metric ${id}`);
  return metric;
}

export interface GoalSpec {
  label: string;
  metric: string;
  /** The server judged; "candidate" means the one chosen with --candidate. */
  subject: TargetName | "candidate";
  /** Ratio goals name the reference server; absolute goals leave it out. */
  reference?: TargetName | "candidate";
  comparison: ">=" | "<=" | "<";
  threshold: number;
  unit?: string;
  /** Absolute goals stated at a size: below it the figure is shown but not judged. */
  atSize?: { sessions: number };
}

const versus = (
  label: string,
  metric: string,
  reference: TargetName | "candidate",
  comparison: GoalSpec["comparison"],
  threshold: number,
  subject: GoalSpec["subject"] = "candidate",
): GoalSpec => ({ label, metric, subject, reference, comparison, threshold });

/** The store goals compare ticketgate's stores with each other, whatever the candidate. */
const MEMORY: TargetName = "ticketgate";
const SQLITE: TargetName = "ticketgate-sqlite";
const REDIS: TargetName = "ticketgate-redis";

/** The goals; absolute ones are stated at 10k sessions. */
export const GOALS: GoalSpec[] = [
  versus("connect cycles/s ≥ 0.85× raw Bun", "connect.rate", "raw-bun", ">=", 0.85),
  versus("connect cycles/s ≥ 2.3× Node + ws", "connect.rate", "node-ws", ">=", 2.3),
  versus("server CPU per connect cycle ≤ 1.2× raw Bun", "connect.cpu", "raw-bun", "<=", 1.2),
  versus("mint req/s (wrk) ≥ 0.8× raw Bun", "mint-wrk.rps", "raw-bun", ">=", 0.8),
  {
    label: "RSS per idle session at 10k ≤ 2 KiB",
    metric: "hold.rss",
    subject: "candidate",
    comparison: "<=",
    threshold: 2048,
    unit: " B",
    atSize: { sessions: 10_000 },
  },
  {
    label: "fan-out to 10k subscribers: last delivery < 50 ms",
    metric: "hold.last",
    subject: "candidate",
    comparison: "<",
    threshold: 50,
    unit: " ms",
    atSize: { sessions: 10_000 },
  },
  versus("connect with sqlite ≥ 0.6× memory", "connect.rate", MEMORY, ">=", 0.6, SQLITE),
  versus("connect with redis ≥ 0.5× memory", "connect.rate", MEMORY, ">=", 0.5, REDIS),
];

/** An absolute goal's figure on raw Bun: shows whether the machine allows it at all. */
function baselineNote(records: RoundRecord[], goal: GoalSpec, subject: TargetName): string {
  const metric = metricById(goal.metric);
  const base = medianOf(records, goal.metric, BASELINE);
  if (subject === BASELINE || !Number.isFinite(base)) return "";
  return `raw Bun: ${base.toFixed(metric.digits)}${goal.unit ?? ""}`;
}

/** Tells "never ran" apart from "ran, but every window failed". */
function whyNoData(records: RoundRecord[], goal: GoalSpec, subject: TargetName): string {
  const phase = metricById(goal.metric).phase;
  const ran = records.filter((r) => r.phase === phase && r.target === subject);
  if (ran.length === 0) return `${phase} did not run on this server`;
  return `every ${phase} window on this server (or its reference) failed or had errors`;
}

export interface GoalVerdict {
  goal: GoalSpec;
  subject: TargetName;
  measured: number;
  status: "met" | "not met" | "not run" | "not judged";
  note: string;
}

export function judgeGoals(
  records: RoundRecord[],
  candidate: TargetName,
  sessions: number,
): GoalVerdict[] {
  const resolve = (name: TargetName | "candidate") => (name === "candidate" ? candidate : name);
  return GOALS.map((goal) => {
    const subject = resolve(goal.subject);
    const reference = goal.reference === undefined ? undefined : resolve(goal.reference);
    const measured =
      reference === undefined
        ? medianOf(records, goal.metric, subject)
        : ratioOf(records, goal.metric, subject, reference);

    if (subject === reference) {
      const note = "the judged server is its own reference";
      return { goal, subject, measured: Number.NaN, status: "not run", note };
    }
    if (!Number.isFinite(measured)) {
      const note = whyNoData(records, goal, subject);
      return { goal, subject, measured, status: "not run", note };
    }
    const passes =
      goal.comparison === ">="
        ? measured >= goal.threshold
        : goal.comparison === "<="
          ? measured <= goal.threshold
          : measured < goal.threshold;
    if (goal.atSize && sessions < goal.atSize.sessions) {
      const note = `held ${sessions} sessions, goal is stated at ${goal.atSize.sessions}`;
      return { goal, subject, measured, status: "not judged", note };
    }
    const note = reference === undefined ? baselineNote(records, goal, subject) : "";
    return { goal, subject, measured, status: passes ? "met" : "not met", note };
  });
}
