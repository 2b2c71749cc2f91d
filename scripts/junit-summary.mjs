// Reads a JUnit XML report and prints "N passed, N failed[, N skipped]"; exits non-zero on
// any failure, on a missing report, or when the test runner itself failed.
import { readFileSync } from "node:fs";

const [file, runnerStatus = "0"] = process.argv.slice(2);
let xml = "";
try {
  xml = readFileSync(file, "utf8");
} catch {
  console.log("no JUnit report was written");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// Count test cases directly, so nested suites are not counted twice.
const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
let failed = 0;
let skipped = 0;
for (const c of cases) {
  if (/<(failure|error)\b/.test(c)) failed++;
  else if (/<skipped\b/.test(c)) skipped++;
}
const passed = cases.length - failed - skipped;
// A runner that failed without a failing case (a crash, an error outside a test) counts as one.
if (runnerStatus !== "0" && failed === 0) failed = 1;

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
