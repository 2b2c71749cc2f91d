// Reads JUnit XML reports and prints one "N passed, N failed[, N skipped]" line for all of
// them. Arguments are `report.xml:runnerExitCode` pairs, or `step:<name>:<exitCode>` for a
// check that is one test of its own. Exits non-zero on any failure, on a missing report, or
// when a runner failed without a failing test case (a crash).
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;

for (const arg of process.argv.slice(2)) {
  const step = /^step:(.+):(\d+)$/.exec(arg);
  if (step) {
    if (step[2] === "0") passed++;
    else {
      console.log(`step ${step[1]} failed (exit ${step[2]})`);
      failed++;
    }
    continue;
  }
  const cut = arg.lastIndexOf(":");
  const [file, status] = cut > 0 ? [arg.slice(0, cut), arg.slice(cut + 1)] : [arg, "0"];
  let xml;
  try {
    xml = readFileSync(file, "utf8");
  } catch {
    console.log(`no JUnit report at ${file}`);
    failed++;
    continue;
  }
  // Count test cases directly, so nested suites are not counted twice.
  const cases = xml.match(/<testcase\b[^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g) ?? [];
  let reportFailed = 0;
  for (const c of cases) {
    if (/<(failure|error)\b/.test(c)) reportFailed++;
    else if (/<skipped\b/.test(c)) skipped++;
    else passed++;
  }
  if (status !== "0" && reportFailed === 0) {
    console.log(`${file}: the runner exited ${status} without a failing test case`);
    reportFailed = 1;
  }
  failed += reportFailed;
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
