/**
 * Renders a run as Markdown: the machine, the exact command, a table of medians with
 * ratios to raw Bun, the goals with met / not met, and every round's raw figures so a
 * reader can see the spread behind each median.
 */
import type { BenchConfig } from "./config.ts";
import type { MachineInfo } from "./lib/machine.ts";
import {
  BASELINE,
  MAX_ERROR_SHARE,
  METRICS,
  judgeGoals,
  medianOf,
  ratioOf,
  type GoalVerdict,
  type RoundRecord,
} from "./summary.ts";
import { TARGETS, type TargetName } from "./targets.ts";

export interface RunReport {
  config: BenchConfig;
  machine: MachineInfo;
  command: string;
  startedAt: Date;
  elapsedSeconds: number;
  ran: TargetName[];
  skipped: { name: TargetName; reason: string }[];
  records: RoundRecord[];
}

const number = (value: number, digits: number) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : "–";

export function renderReport(report: RunReport): string {
  const { config, machine } = report;
  const mode = config.quick ? "quick smoke run: numbers are not for comparison" : "full run";
  return [
    `# ticketgate benchmark results`,
    "",
    `${report.startedAt.toISOString()} · ${mode} · ${report.elapsedSeconds.toFixed(0)} s`,
    "",
    "```sh",
    report.command,
    "```",
    "",
    "## Machine",
    "",
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}; ` +
      `Bun ${machine.bun}, Node ${machine.node}, Elysia ${machine.elysia}, ws ${machine.ws}, ` +
      `${machine.wrk}, redis ${machine.redis}; commit ${machine.commit}.`,
    "",
    "**The load generator runs on the same cores as the server.** On two cores a fast " +
      "server is often limited by the client rather than by itself, so throughput ratios " +
      "understate differences; server CPU µs per operation (from /proc/<pid>/stat, " +
      `${machine.clockTicks} ticks/s) is the fairer figure. Other engineers' tests may ` +
      "share the machine during a run: servers alternate within each round, and ratios are " +
      "medians of per-round ratios.",
    "",
    `Sizes: ${config.rounds} rounds; windows of ${config.durationMs} ms after ` +
      `${config.warmupMs} ms warm-up at concurrency ${config.concurrency}; ` +
      `hold and fan-out with ${config.sessions} sessions, ${config.publishes} publishes.`,
    "",
    ...renderMethod(config),
    ...renderSkipped(report),
    "## Medians (ratio to raw Bun)",
    "",
    ...renderTable(report),
    "",
    `Windows with more than ${MAX_ERROR_SHARE * 100} % failed operations are left out of ` +
      "medians and goals (they measured refusals, not the flow); the rounds table shows them.",
    "",
    `## Goals (judged on ${TARGETS[config.candidate].label})`,
    "",
    ...renderGoals(judgeGoals(report.records, config.candidate, config.sessions)),
    "",
    "## Rounds",
    "",
    ...renderRounds(report.records),
    "",
  ].join("\n");
}

/** How each figure is obtained, so a reader can judge what it does and does not show. */
function renderMethod(config: BenchConfig): string[] {
  const c = config.concurrency;
  return [
    "How each figure is measured:",
    "",
    `- **mint**: \`POST /api/v1/tickets\` at ${c} in flight, Bun fetch over keep-alive, ` +
      `one subject per request; **wrk**: 1 thread, ${c} connections, bench/phases/mint.lua.`,
    `- **connect**: ${c} loops of mint → open \`/ws?ticket=\` → welcome → close, each ` +
      "waiting for the close handshake, so teardown is inside the window.",
    "- **hold**: sessions opened 64 at a time and left idle; VmRSS after a 1 s settle minus " +
      "VmRSS before, divided by the sessions. It includes garbage the server has not " +
      "collected yet, and a collection during the phase can shrink it: trust it at 10k, " +
      "not at a few thousand.",
    "- **fan-out**: the held sessions subscribe to one channel; one REST publish; time from " +
      "sending the request to the last arrival in the single load process. That includes " +
      "the client's own receive work, so raw Bun's figure is the floor this harness can see. " +
      "On loopback each socket write also runs the receiver's TCP processing in the " +
      "server's context, so the server's CPU per delivery is mostly kernel time (the rounds " +
      "table gives the share); over a real network the server would pay less per frame.",
    "- **CPU**: utime + stime of the server process around each measured window.",
    "- Ticketgate runs with its defaults (log level info: its per-connection log lines, " +
      "written to a file, are part of its cost) except: a raised outstanding-ticket cap, " +
      "which wrk would otherwise fill; the mint and upgrade rate limits off (all load " +
      "comes from one key and one address), so their cost is not measured; demo page off.",
    "",
  ];
}

function renderSkipped(report: RunReport): string[] {
  if (report.skipped.length === 0) return [];
  const lines = report.skipped.map(({ name, reason }) => `- ${TARGETS[name].label}: ${reason}`);
  return ["Not measured:", "", ...lines, ""];
}

function renderTable(report: RunReport): string[] {
  const targets = report.ran;
  const header = `| metric | ${targets.map((t) => TARGETS[t].label).join(" | ")} |`;
  const rule = `| --- | ${targets.map(() => "---:").join(" | ")} |`;
  const rows = METRICS.filter((m) => report.config.phases.includes(m.phase)).map((metric) => {
    const cells = targets.map((target) => {
      const value = medianOf(report.records, metric.id, target);
      if (!Number.isFinite(value)) return "–";
      const ratio = ratioOf(report.records, metric.id, target, BASELINE);
      const shown = number(value, metric.digits);
      if (target === BASELINE || !Number.isFinite(ratio)) return shown;
      return `${shown} (${ratio.toFixed(2)}×)`;
    });
    return `| ${metric.label} | ${cells.join(" | ")} |`;
  });
  return [header, rule, ...rows];
}

function renderGoals(verdicts: GoalVerdict[]): string[] {
  const rows = verdicts.map(({ goal, subject, measured, status, note }) => {
    const shown = !Number.isFinite(measured)
      ? "–"
      : goal.reference === undefined
        ? `${number(measured, 1)}${goal.unit ?? ""}`
        : `${measured.toFixed(2)}×`;
    const mark = status === "met" ? "✅ met" : status === "not met" ? "❌ not met" : status;
    return `| ${goal.label} | ${TARGETS[subject].label} | ${shown} | ${mark} | ${note} |`;
  });
  const header = "| goal | server | measured | status | note |";
  return [header, "| --- | --- | ---: | --- | --- |", ...rows];
}

/** One line per round and phase, compact enough to show the spread at a glance. */
function renderRounds(records: RoundRecord[]): string[] {
  const header =
    "| round | server | phase | ops/s | CPU µs/op | p50 ms | p99 ms | errors | extra |";
  const rule = "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |";
  const rows = records.map(({ round, target, phase, result, error }) => {
    const label = TARGETS[target].label;
    if (!result) {
      return `| ${round} | ${label} | ${phase} | – | – | – | – | – | ${error ?? ""} |`;
    }
    const extra: string[] = [];
    if (result.hold) {
      const h = result.hold;
      const rss = `${h.rssBeforeKiB}→${h.rssHeldKiB}→${h.rssAfterCloseKiB} KiB`;
      extra.push(`${h.sessions} held, RSS before→held→closed ${rss}`);
    }
    if (result.fanout) {
      const f = result.fanout;
      const kernel = `${(f.serverSystemShare * 100).toFixed(0)} % of server CPU in the kernel`;
      const last = `fan-out last ${number(f.lastDeliveryMs, 1)} ms`;
      extra.push(`${last}, missed ${f.missedDeliveries}, ${kernel}`);
    }
    if (Number.isFinite(result.clientCpuPercent)) {
      extra.push(`client ${result.clientCpuPercent.toFixed(0)} %`);
    }
    extra.push(...result.errorSamples);
    const cells = [
      round,
      label,
      phase,
      number(result.opsPerSecond, 0),
      number(result.serverCpuPerOpMicros, 1),
      number(result.p50Ms, 2),
      number(result.p99Ms, 2),
      result.errors,
      extra.join("; "),
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return [header, rule, ...rows];
}
