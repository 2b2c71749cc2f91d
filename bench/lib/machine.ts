/** Describes the machine and toolchain a run measured, for the report's header. */
import { readFileSync } from "node:fs";
import { availableParallelism, release, totalmem } from "node:os";
import { join } from "node:path";
import { CLOCK_TICKS_PER_SECOND } from "./proc.ts";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  bun: string;
  node: string;
  wrk: string;
  redis: string;
  elysia: string;
  ws: string;
  commit: string;
  clockTicks: number;
}

export function describeMachine(projectRoot: string, bun: string): MachineInfo {
  const cpuinfo = safe(() => readFileSync("/proc/cpuinfo", "utf8"), "");
  return {
    cpus: availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    bun: run([bun, "--version"]),
    node: run(["node", "--version"]),
    wrk: run(["/usr/bin/wrk", "-v"]).split("[")[0]?.trim() ?? "absent",
    redis: /v=(\S+)/.exec(run(["/usr/bin/redis-server", "--version"]))?.[1] ?? "absent",
    elysia: packageVersion(projectRoot, "elysia"),
    ws: packageVersion(projectRoot, "ws"),
    commit: describeCommit(projectRoot),
    clockTicks: CLOCK_TICKS_PER_SECOND,
  };
}

/** First line of a command's output (stdout, or stderr for tools that print there). */
function run(argv: string[]): string {
  return safe(() => {
    const out = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    const text = out.stdout.toString().trim() || out.stderr.toString().trim();
    return text.split("\n")[0] ?? "";
  }, "absent");
}

function packageVersion(root: string, name: string): string {
  const path = join(root, "node_modules", name, "package.json");
  const read = () => (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  return safe(read, "absent");
}

/** Short commit, marked when the working tree had uncommitted changes (others edit it). */
function describeCommit(root: string): string {
  const commit = run(["git", "-C", root, "rev-parse", "--short", "HEAD"]);
  const dirty = run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"]);
  return dirty && dirty !== "absent" ? `${commit} (+ uncommitted changes)` : commit;
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
