/**
 * The SDK on Node 20, which has no global WebSocket and cannot load .ts: bundled to plain
 * JavaScript, given the ws package's WebSocket, run by `node` against a real gateway.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const NODE = Bun.which("node");
const NODE_TIMEOUT_MS = 20_000;

let gw: TestGateway | undefined;
let dir: string | undefined;
afterEach(async () => {
  await gw?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  gw = dir = undefined;
});

/** Connects, pings, prints one JSON line, exits; the ticket arrives on stdin, not in argv. */
const SCRIPT = `
import { WebSocket } from "ws";
import { TicketgateClient } from "./sdk.js";
const ticket = (await new Response(process.stdin).text()).trim();
const client = new TicketgateClient({ url: process.argv[2], getTicket: () => ticket, WebSocket, reconnect: false });
const welcome = await client.connect();
const pong = await client.request({ type: "ping" });
console.log(JSON.stringify({ subject: welcome.subject, pong: pong.type }));
client.close();
`;

test.skipIf(!NODE)("runs unchanged on Node with the ws package's WebSocket", async () => {
  gw = await startGateway();
  // Inside node_modules so that Node's ESM resolution finds the ws package from the script.
  dir = mkdtempSync(join(ROOT, "node_modules", ".ticketgate-node-"));
  const built = await Bun.build({
    entrypoints: [join(ROOT, "src/client/index.ts")],
    target: "node",
    format: "esm",
  });
  expect(built.success).toBe(true);
  writeFileSync(join(dir, "sdk.js"), await built.outputs[0]!.text());
  writeFileSync(join(dir, "main.mjs"), SCRIPT);

  const child = Bun.spawn([NODE!, join(dir, "main.mjs"), gw.wsUrl], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), NODE_TIMEOUT_MS);
  child.stdin.write(await gw.mint({ subject: "node-user" }));
  child.stdin.end();
  const [code, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  clearTimeout(timer);

  expect(err).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(out)).toEqual({ subject: "node-user", pong: "pong" });
});
