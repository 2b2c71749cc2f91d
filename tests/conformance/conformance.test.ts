/** The conformance suite passes against a real ticketgate and fails against a weakened one. */
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { runConformanceCli } from "../../src/conformance/cli.ts";
import { API_KEY, startGateway } from "../helpers/gateway.ts";

const ALLOWED = "https://app.conformance.test";
const DENIED = "https://evil.conformance.test";
const SUITE_TIMEOUT_MS = 60_000;
const CLI = join(import.meta.dir, "../../src/conformance/cli.ts");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A gateway that gets everything wrong that a quick implementation might: no auth, reusable tickets, 200 text. */
function startWeakenedServer(): string {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    reusePort: false,
    fetch(request, srv) {
      const path = new URL(request.url).pathname;
      if (path === "/api/v1/tickets") {
        const random = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString(
          "base64url",
        );
        return Response.json({ ticket: `tgt_${random}`, expires_in: 30 }, { status: 201 });
      }
      if (path === "/ws" && srv.upgrade(request, { data: undefined })) return undefined;
      return new Response("nope", { status: 200 });
    },
    websocket: {
      open(ws) {
        ws.send(JSON.stringify({ type: "welcome", subject: "conformance" }));
      },
      message() {},
    },
  });
  cleanups.push(() => server.stop(true));
  return `http://127.0.0.1:${server.port}`;
}

test(
  "passes against a real ticketgate with an Origin allow-list and limits",
  async () => {
    const gw = await startGateway({
      config: { allowedOrigins: [ALLOWED] },
      security: { limits: { mintPerMinute: 0, upgradePerMinute: 200, authFailuresPerMinute: 10 } },
    });
    cleanups.push(() => gw.stop());
    const out: string[] = [];
    const args = [
      "--url",
      gw.url,
      "--key",
      API_KEY,
      "--origin-allowed",
      ALLOWED,
      "--origin-denied",
      DENIED,
    ];
    const code = await runConformanceCli([...args, "--upgrade-limit-attempts", "400"], {}, (t) =>
      out.push(t),
    );

    const table = out.join("\n");
    expect(table).not.toContain("FAIL");
    expect(table).toContain("0 failed, 0 skipped");
    expect(code).toBe(0);
    expect(table).not.toContain(API_KEY);
  },
  SUITE_TIMEOUT_MS,
);

test(
  "fails against a weakened gateway and names what it got wrong",
  async () => {
    const base = startWeakenedServer();
    const out: string[] = [];
    const code = await runConformanceCli(
      ["--url", base, "--key", API_KEY, "--skip-expiry"],
      {},
      (t) => out.push(t),
    );
    const table = out.join("\n");

    expect(code).toBe(1);
    for (const id of [
      "mint-needs-credential",
      "mint-refuses-alg-none",
      "refuses-missing-ticket",
      "single-use-under-race",
      "handshake-checked-before-ticket",
      "bound-ip-elsewhere",
      "auth-failure-limit",
    ])
      expect(table).toMatch(new RegExp(`^${id}\\s+FAIL`, "m"));
  },
  SUITE_TIMEOUT_MS,
);

test(
  "runs as a script and exits non-zero on failure",
  async () => {
    const base = startWeakenedServer();
    const child = Bun.spawn(
      [
        process.execPath,
        CLI,
        "--url",
        base,
        "--key",
        API_KEY,
        "--skip-expiry",
        "--auth-limit-attempts",
        "0",
      ],
      {
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    cleanups.push(() => {
      if (child.exitCode === null) child.kill();
    });
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(1);
    expect(stdout).toContain("result  detail");
    expect(stdout).toMatch(/\d+ passed, \d+ failed, \d+ skipped/);
  },
  SUITE_TIMEOUT_MS,
);

test("explains its usage and refuses a missing key", async () => {
  const out: string[] = [];
  expect(await runConformanceCli(["--url", "http://127.0.0.1:1"], {}, (t) => out.push(t))).toBe(2);
  expect(out.join("\n")).toContain("--key is required");
});
