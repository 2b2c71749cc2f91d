/** The real binary entry point: start-up, configuration errors, logs without secrets, shutdown. */
import { describe, expect, test } from "bun:test";
import { runToExit, startProcess } from "../helpers/process.ts";
import { openSocket } from "../helpers/ws-client.ts";

const KEY = "process-test-key-0123456789";

async function mint(url: string, key = KEY) {
  const res = await fetch(`${url}/api/v1/tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ subject: "alice", channels: ["chat:*"] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { ticket: string }).ticket;
}

describe("start-up", () => {
  test("logs one JSON line with version, address and store", async () => {
    await using server = await startProcess(["--api-keys", KEY]);
    const first = JSON.parse(server.stdout().split("\n")[0]!);
    expect(first).toMatchObject({
      level: "info",
      msg: "listening",
      host: "127.0.0.1",
      port: server.port,
      store: "memory",
    });
    expect(first.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("without a configured key, prints an ephemeral key on stderr only, and it works", async () => {
    await using server = await startProcess([]);
    const key = /(tgk_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
    expect(key).toBeDefined();
    expect(server.stderr()).toContain("EPHEMERAL");
    expect(server.stdout()).not.toContain(key!);
    await mint(server.url, key!);
  });

  test.each([
    ["a port that is not a number", { PORT: "http" }, [], "PORT"],
    ["a zero ticket lifetime", { TICKETGATE_TICKET_TTL: "0" }, [], "TICKETGATE_TICKET_TTL"],
    [
      "a default lifetime above the maximum",
      { TICKETGATE_TICKET_TTL: "400" },
      [],
      "TICKETGATE_TICKET_TTL",
    ],
    ["an unknown store", { TICKETGATE_STORE: "mongo" }, [], "TICKETGATE_STORE"],
    ["a short API key", { TICKETGATE_API_KEYS: "short" }, [], "TICKETGATE_API_KEYS"],
    ["a bad sha256 entry", { TICKETGATE_API_KEYS: "sha256:abc" }, [], "TICKETGATE_API_KEYS"],
    [
      "an origin with a path",
      { TICKETGATE_ALLOWED_ORIGINS: "https://a.com/x" },
      [],
      "TICKETGATE_ALLOWED_ORIGINS",
    ],
    ["an unknown log level", {}, ["--log-level", "loud"], "TICKETGATE_LOG_LEVEL"],
    ["an unknown flag", {}, ["--prot", "80"], "--prot"],
    ["redis without a URL", { TICKETGATE_STORE: "redis" }, [], "TICKETGATE_REDIS_URL"],
    [
      "a redis URL of another scheme",
      { TICKETGATE_STORE: "redis", TICKETGATE_REDIS_URL: "http://x" },
      [],
      "TICKETGATE_REDIS_URL",
    ],
    [
      "an unreachable redis",
      { TICKETGATE_STORE: "redis", TICKETGATE_REDIS_URL: "redis://127.0.0.1:1" },
      [],
      "TICKETGATE_REDIS_URL",
    ],
  ])("refuses %s with one line naming the setting", async (_name, env, args, setting) => {
    const { code, stderr, stdout } = await runToExit(args, env);
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(setting);
    expect(stdout).toBe("");
  });

  test("a bad key entry is reported without echoing it", async () => {
    const { stderr } = await runToExit([], { TICKETGATE_API_KEYS: "tooShortSecret" });
    expect(stderr).not.toContain("tooShortSecret");
  });

  test("--help lists every setting with its variable", async () => {
    const { code, stdout } = await runToExit(["--help"]);
    expect(code).toBe(0);
    for (const name of [
      "PORT",
      "HOST",
      "TICKETGATE_API_KEYS",
      "TICKETGATE_TICKET_TTL",
      "TICKETGATE_TICKET_MAX_TTL",
      "TICKETGATE_MAX_TICKETS",
      "TICKETGATE_ALLOWED_ORIGINS",
      "TICKETGATE_STORE",
      "TICKETGATE_LOG_LEVEL",
    ])
      expect(stdout).toContain(name);
  });

  test("a flag wins over its environment variable", async () => {
    await using server = await startProcess(["--api-keys", KEY, "--ticket-ttl", "7"], {
      TICKETGATE_TICKET_TTL: "9",
    });
    const res = await fetch(`${server.url}/api/v1/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: '{"subject":"a"}',
    });
    expect(((await res.json()) as { expires_in: number }).expires_in).toBe(7);
  });
});

describe("logs", () => {
  test("hold no ticket, no key and no query string, yet record each step", async () => {
    await using server = await startProcess(["--api-keys", KEY]);
    const byQuery = await mint(server.url);
    const byProtocol = await mint(server.url);

    const a = openSocket(`ws://127.0.0.1:${server.port}/ws?ticket=${byQuery}`);
    expect((await a.next()).type).toBe("welcome");
    const b = openSocket(`ws://127.0.0.1:${server.port}/ws`, ["ticketgate.v1", byProtocol]);
    expect((await b.next()).type).toBe("welcome");
    a.ws.close();
    await a.closed;
    // Refusals of every kind, including the used ticket and a wrong key.
    await fetch(`${server.url}/ws?ticket=${byQuery}`, {
      headers: { upgrade: "websocket", connection: "upgrade" },
    });
    const again = openSocket(`ws://127.0.0.1:${server.port}/ws?ticket=${byQuery}`);
    await again.closed;
    await fetch(`${server.url}/api/v1/tickets`, {
      method: "POST",
      headers: { authorization: "Bearer wrong-key-but-long-enough" },
    });
    b.ws.close();
    await b.closed;
    await Bun.sleep(100);

    const log = server.stdout();
    for (const secret of [byQuery, byProtocol, KEY, "wrong-key-but-long-enough", "ticket=", "tgt_"])
      expect(log).not.toContain(secret);
    const lines = log
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; log?: string });
    const events = lines.filter((l) => l.log === "audit").map((l) => l.msg);
    expect(events).toEqual(
      expect.arrayContaining([
        "ticket.minted",
        "ticket.redeemed",
        "ticket.refused",
        "credential.refused",
      ]),
    );
    expect(lines.filter((l) => l.log === undefined).map((l) => l.msg)).toEqual(
      expect.arrayContaining(["listening", "session closed"]),
    );
  });
});

describe("shutdown", () => {
  test.each([["SIGTERM"], ["SIGINT"]] as const)(
    "%s closes sessions with 1001 and exits 0",
    async (signal) => {
      await using server = await startProcess(["--api-keys", KEY]);
      const s = openSocket(`ws://127.0.0.1:${server.port}/ws?ticket=${await mint(server.url)}`);
      expect((await s.next()).type).toBe("welcome");

      const code = await server.stop(signal);
      expect((await s.closed).code).toBe(1001);
      expect(code).toBe(0);
      expect(server.stdout()).toContain('"msg":"stopped"');
    },
  );
});
