/** Stores seen from outside: SQLite across restarts, two nodes on one Redis, Redis outages. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisTicketStore } from "../../src/tickets/redis.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { startProcess } from "../helpers/process.ts";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-env.ts";
import { findRedisServer, freePort, RedisServer } from "../helpers/redis-server.ts";
import { openSocket } from "../helpers/ws-client.ts";

const KEY = "stores-test-key-0123456789";

async function mintAt(url: string, subject = "alice") {
  const res = await fetch(`${url}/api/v1/tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ subject }),
  });
  return res;
}

async function ticketFrom(url: string) {
  const res = await mintAt(url);
  expect(res.status).toBe(201);
  return ((await res.json()) as { ticket: string }).ticket;
}

describe("sqlite store across restarts", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([["SIGTERM"], ["SIGKILL"]] as const)(
    "tickets minted before a %s stay redeemable after it, and a used one stays used",
    async (signal) => {
      dir = mkdtempSync(join(tmpdir(), "tg-sqlite-"));
      const args = ["--api-keys", KEY, "--store", "sqlite", "--sqlite-path", join(dir, "t.sqlite")];

      const first = await startProcess(args);
      const kept = await ticketFrom(first.url);
      const used = await ticketFrom(first.url);
      const s = openSocket(`ws://127.0.0.1:${first.port}/ws?ticket=${used}`);
      expect((await s.next()).type).toBe("welcome");
      await first.stop(signal);
      await s.closed;

      await using second = await startProcess(args);
      expect((await rawRequest(second.port, `/ws?ticket=${kept}`, upgradeHeaders())).status).toBe(
        101,
      );
      expect((await rawRequest(second.port, `/ws?ticket=${used}`, upgradeHeaders())).status).toBe(
        401,
      );
      expect(second.stdout()).toContain('"store":"sqlite"');
    },
  );
});

describeWithRedis("two nodes sharing one Redis", (url) => {
  let a: TestGateway;
  let b: TestGateway;
  afterEach(async () => {
    await a?.stop();
    await b?.stop();
  });

  const twoNodes = async () => {
    const prefix = uniquePrefix();
    a = await startGateway({ store: new RedisTicketStore({ url, prefix, maxTickets: 1000 }) });
    b = await startGateway({ store: new RedisTicketStore({ url, prefix, maxTickets: 1000 }) });
  };

  test("a ticket minted on node A opens a session on node B", async () => {
    await twoNodes();
    const ticket = await a.mint();
    await using s = openSocket(`${b.wsUrl}?ticket=${ticket}`);
    expect((await s.next()).type).toBe("welcome");
  });

  test("one ticket fired at both nodes at once gives exactly one session", async () => {
    await twoNodes();
    for (let round = 0; round < 5; round++) {
      const ticket = await a.mint();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          rawRequest((i % 2 ? a : b).port, `/ws?ticket=${ticket}`, upgradeHeaders()),
        ),
      );
      expect(answers.filter((r) => r.status === 101)).toHaveLength(1);
      expect(answers.filter((r) => r.status === 401)).toHaveLength(19);
    }
  });

  test("readiness reports the store as ready", async () => {
    await twoNodes();
    expect(await (await fetch(`${b.url}/readyz`)).json()).toEqual({
      status: "ready",
      store: "redis",
    });
  });
});

const redisBinary = findRedisServer();
const describeOutage = redisBinary || process.env.CI === "true" ? describe : describe.skip;
if (!redisBinary && process.env.CI !== "true")
  console.warn("REDIS TESTS SKIPPED (outage): no redis-server binary");

describeOutage("a Redis outage", () => {
  test("answers 503 problems within a bound while Redis is down, and recovers without a restart", async () => {
    const redis = new RedisServer(redisBinary!, await freePort());
    await redis.start();
    const gw = await startGateway({
      store: new RedisTicketStore({ url: redis.url, prefix: uniquePrefix(), maxTickets: 100 }),
    });
    try {
      const early = await gw.mint();
      await redis.stop();

      const started = Date.now();
      const mint = await fetch(`${gw.url}/api/v1/tickets`, {
        method: "POST",
        headers: {
          authorization: "Bearer test-key-0123456789abcdef",
          "content-type": "application/json",
        },
        body: '{"subject":"alice"}',
      });
      expect(mint.status).toBe(503);
      expect(mint.headers.get("content-type")).toBe("application/problem+json");
      expect(mint.headers.get("retry-after")).not.toBeNull();

      const upgrade = await rawRequest(
        gw.port,
        `/ws?ticket=${early}`,
        upgradeHeaders(),
        "GET",
        10_000,
      );
      expect(upgrade.status).toBe(503);
      expect(upgrade.headers["content-type"]).toBe("application/problem+json");

      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await (await fetch(`${gw.url}/healthz`)).json()).toEqual({ status: "ok" });
      // Bounded, not timed: far below a client's patience, and far below Bun's 31 s give-up.
      expect(Date.now() - started).toBeLessThan(15_000);

      await redis.start();
      let recovered = false;
      for (let i = 0; i < 100 && !recovered; i++) {
        recovered = (await fetch(`${gw.url}/readyz`)).status === 200;
        if (!recovered) await Bun.sleep(100);
      }
      expect(recovered).toBe(true);
      const ticket = await gw.mint();
      expect((await rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders())).status).toBe(
        101,
      );
    } finally {
      await gw.stop();
      await redis.dispose();
    }
  }, 60_000);
});
