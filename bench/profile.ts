/**
 * Where ticketgate's time goes: runs it under `bun --cpu-prof` while bench/load.ts drives
 * the connect phase (mint → open → welcome → close), then sums the profile by function and
 * by part of the code and writes bench/PROFILE.md. Everything stays on 127.0.0.1.
 *
 *   bun bench/profile.ts [--duration-ms 5000] [--out bench/PROFILE.md]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "./lib/servers.ts";
import { BUN, PROJECT_ROOT, TICKETGATE_MAIN } from "./targets.ts";

const { values } = parseArgs({
  options: {
    "duration-ms": { type: "string", default: "5000" },
    out: { type: "string", default: join(PROJECT_ROOT, "bench/PROFILE.md") },
  },
});
const durationMs = Number(values["duration-ms"]);
const API_KEY = "bench-profile-key-0123456789";
/** Functions listed in each table. */
const TOP = 25;

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[] };

const workDir = mkdtempSync(join(tmpdir(), "tg-profile-"));
const server = await startServer({
  name: "ticketgate-profiled",
  argv: [
    BUN,
    "--cpu-prof",
    `--cpu-prof-dir=${workDir}`,
    TICKETGATE_MAIN,
    "--port",
    "0",
    "--host",
    "127.0.0.1",
  ],
  env: {
    TICKETGATE_API_KEYS: API_KEY,
    TICKETGATE_MAX_TICKETS: "10000000",
    TICKETGATE_RATE_MINT: "0",
    TICKETGATE_RATE_UPGRADE: "0",
    TICKETGATE_DEMO: "false",
  },
  logDir: workDir,
});

try {
  const load = Bun.spawn(
    [
      BUN,
      join(PROJECT_ROOT, "bench/load.ts"),
      "--phase",
      "connect",
      "--url",
      `http://127.0.0.1:${server.port}`,
      "--api-key",
      API_KEY,
      "--pid",
      String(server.pid),
      "--duration-ms",
      String(durationMs),
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  console.log(await new Response(load.stdout).text());
  await load.exited;
} finally {
  // SIGINT lets Bun write the profile on its way out (main.ts shuts down cleanly on it).
  process.kill(server.pid, "SIGINT");
  for (let i = 0; i < 100 && server.isAlive(); i++) await Bun.sleep(50);
  if (server.isAlive()) await server.stop();
}

const file = readdirSync(workDir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no .cpuprofile written in ${workDir}`);
const profile = JSON.parse(readFileSync(join(workDir, file), "utf8")) as Profile;
rmSync(workDir, { recursive: true, force: true });

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = profile.samples.length;

/** The file a frame runs in: project-relative, a package name, or `native`. */
const fileOf = (n: Node) => {
  const url = n.callFrame.url.replace("file://", "");
  if (url === "") return "native";
  if (url.includes("node_modules/")) return url.slice(url.indexOf("node_modules/") + 13);
  return url.startsWith(PROJECT_ROOT) ? relative(PROJECT_ROOT, url) : url;
};
/** The part of the code a frame belongs to: a src/ folder, a package, or `native`. */
const partOf = (n: Node) => {
  const file = fileOf(n);
  if (file.startsWith("src/")) return file.split("/").slice(0, 2).join("/");
  return file.split("/")[0]!;
};
const label = (n: Node) =>
  `${n.callFrame.functionName || "(anonymous)"} — ${fileOf(n)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const parts = new Map<string, number>();
for (const [id, count] of hits) {
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + count);
  parts.set(partOf(node), (parts.get(partOf(node)) ?? 0) + count);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
    const key = label(byId.get(cur)!);
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    seen.add(key);
  }
}

const pct = (n: number) => `${((100 * n) / total).toFixed(1)} %`;
const table = (title: string, rows: Map<string, number>) =>
  [
    `## ${title}`,
    "",
    "| share | function — where |",
    "| ---: | --- |",
    ...[...rows]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([k, v]) => `| ${pct(v)} | ${k.replaceAll("|", "\\|")} |`),
    "",
  ].join("\n");

const report = [
  "# Where ticketgate's time goes (connect cycles)",
  "",
  `${new Date().toISOString()} · \`bun bench/profile.ts --duration-ms ${durationMs}\` · ${total} samples.`,
  "",
  "Self time is spent in the function itself; inclusive time also counts what it calls. `native` is",
  "Bun's own C++/Zig work (HTTP parsing, the WebSocket upgrade, sockets), most of which raw",
  "`Bun.serve` pays too. The profile includes warm-up and idle samples.",
  "",
  table("Self time by part of the code", parts),
  table("Self time by function", self),
  table("Inclusive time by function", inclusive),
].join("\n");
await Bun.write(values.out!, report);
console.log(`wrote ${relative(PROJECT_ROOT, values.out!)}`);
