/** Runs the conformance checks in order against one deployment and renders the table. */
import { CheckFailure, CheckSkipped, type Check, type SuiteOptions } from "./check.ts";
import { apiChecks } from "./checks-api.ts";
import { limitChecks } from "./checks-limits.ts";
import { upgradeChecks } from "./checks-upgrade.ts";
import type { Target } from "./client.ts";

export type Verdict = "pass" | "fail" | "skip";

export interface CheckResult {
  id: string;
  title: string;
  verdict: Verdict;
  detail: string;
}

/** Limits last: they leave the runner's address refused for a while. */
export const ALL_CHECKS: readonly Check[] = [...apiChecks, ...upgradeChecks, ...limitChecks];

export async function runConformance(
  target: Target,
  options: SuiteOptions,
  checks = ALL_CHECKS,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    let verdict: Verdict = "pass";
    let detail = "";
    try {
      detail = (await check.run({ target, options })) ?? "";
    } catch (error) {
      verdict = error instanceof CheckSkipped ? "skip" : "fail";
      detail =
        error instanceof CheckFailure || error instanceof CheckSkipped
          ? error.message
          : describe(error);
    }
    results.push({ id: check.id, title: check.title, verdict, detail });
  }
  return results;
}

/** A cause for an unexpected error, never a URL with a ticket in it. */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/tgt_[A-Za-z0-9_-]+/g, "tgt_…").slice(0, 160);
}

const MARK: Record<Verdict, string> = { pass: "PASS", fail: "FAIL", skip: "skip" };

export function renderTable(results: readonly CheckResult[]): string {
  const idWidth = Math.max(5, ...results.map((r) => r.id.length));
  const lines = [
    `${"check".padEnd(idWidth)}  result  detail`,
    `${"-".repeat(idWidth)}  ------  ${"-".repeat(40)}`,
  ];
  for (const r of results)
    lines.push(`${r.id.padEnd(idWidth)}  ${MARK[r.verdict].padEnd(6)}  ${r.detail || r.title}`);
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  lines.push("", `${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped`);
  return lines.join("\n");
}
