/**
 * Reads a server's CPU time and resident memory from /proc, so every figure is about the
 * server process alone and not the load generator that shares the machine with it.
 */
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second (`getconf CLK_TCK`); 100 on every Linux we run. */
export const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  const out = Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim();
  const ticks = Number(out);
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

/**
 * User plus system CPU time of a process (all its threads), in microseconds.
 * The resolution is one clock tick (10 ms), so phases must run for seconds, not
 * milliseconds, for per-operation figures to mean anything.
 */
export function readCpuMicros(pid: number): number {
  const { user, system } = readCpuSplitMicros(pid);
  return user + system;
}

/** User and system CPU time apart: on loopback, socket writes show up as system time. */
export function readCpuSplitMicros(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 (comm) may contain spaces and parentheses: count fields after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After comm, fields start at number 3 (state): utime is 14, stime is 15.
  const toMicros = (ticks: number) => (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;
  return { user: toMicros(Number(fields[14 - 3])), system: toMicros(Number(fields[15 - 3])) };
}

/** Resident set size of a process in KiB (VmRSS from /proc/<pid>/status). */
export function readRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** Our own CPU time in microseconds, to show how busy the load generator was. */
export function ownCpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
