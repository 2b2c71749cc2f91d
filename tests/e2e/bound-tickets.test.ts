/** Tickets bound to an Origin or a client address: redeemed only from there, burned elsewhere. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisTicketStore } from "../../src/tickets/redis.ts";
import { SqliteTicketStore } from "../../src/tickets/sqlite.ts";
import type { TicketStore } from "../../src/tickets/store.ts";
import { mintWith } from "../helpers/auth-http.ts";
import {
  API_KEY,
  startGateway,
  type TestGateway,
  type TestGatewayOptions,
} from "../helpers/gateway.ts";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { openSocket } from "../helpers/ws-client.ts";

const APP = "https://app.example.com";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const gw = await startGateway(options);
  cleanups.push(() => gw.stop());
  return gw;
}

const upgrade = (gw: TestGateway, ticket: string, extra: Record<string, string> = {}) =>
  rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders(extra));

describe("bound to an origin", () => {
  test("upgrades from that origin", async () => {
    const gw = await gateway();
    const ticket = await gw.mint({ subject: "alice", bind: { origin: APP } });
    expect((await upgrade(gw, ticket, { Origin: APP })).status).toBe(101);
  });

  test("refuses another origin with 403, and the ticket is burned for its rightful holder too", async () => {
    const gw = await gateway();
    const ticket = await gw.mint({ subject: "alice", bind: { origin: APP } });

    const stolen = await upgrade(gw, ticket, { Origin: "https://evil.example" });
    expect(stolen.status).toBe(403);
    expect(stolen.headers["content-type"]).toStartWith("application/problem+json");
    expect(stolen.closed).toBe(true);
    expect(JSON.parse(stolen.body).detail).toContain("bound");
    expect(stolen.body).not.toContain(ticket);

    expect((await upgrade(gw, ticket, { Origin: APP })).status).toBe(401);
    expect(gw.gate.metrics.upgradesRefused.get({ reason: "bound_origin" })).toBe(1);
  });

  test("refuses an upgrade without any Origin header", async () => {
    const gw = await gateway();
    const ticket = await gw.mint({ subject: "alice", bind: { origin: APP } });
    expect((await upgrade(gw, ticket)).status).toBe(403);
  });
});

describe("bound to a client address", () => {
  test("upgrades from that address and refuses any other", async () => {
    const gw = await gateway();
    const mine = await gw.mint({ subject: "alice", bind: { client_ip: "127.0.0.1" } });
    const theirs = await gw.mint({ subject: "alice", bind: { client_ip: "203.0.113.7" } });
    expect((await upgrade(gw, mine)).status).toBe(101);
    expect((await upgrade(gw, theirs)).status).toBe(403);
    expect(gw.gate.metrics.upgradesRefused.get({ reason: "bound_ip" })).toBe(1);
  });

  test("reads the address from X-Forwarded-For only behind a trusted proxy", async () => {
    const trusting = await gateway({ security: { trustedProxies: ["127.0.0.1/32"] } });
    const ticket = await trusting.mint({ subject: "alice", bind: { client_ip: "198.51.100.7" } });
    expect((await upgrade(trusting, ticket, { "X-Forwarded-For": "198.51.100.7" })).status).toBe(
      101,
    );

    const plain = await gateway();
    const spoofed = await plain.mint({ subject: "alice", bind: { client_ip: "198.51.100.7" } });
    expect((await upgrade(plain, spoofed, { "X-Forwarded-For": "198.51.100.7" })).status).toBe(403);
  });

  test("matches an IPv6 address however it is written", async () => {
    const gw = await gateway({ security: { trustedProxies: ["127.0.0.1"] } });
    const ticket = await gw.mint({ subject: "alice", bind: { client_ip: "2001:DB8::7" } });
    expect((await upgrade(gw, ticket, { "X-Forwarded-For": "2001:db8::7" })).status).toBe(101);
  });
});

describe("mint requests", () => {
  test.each([
    [{ origin: "app.example.com" }, "/bind/origin"],
    [{ origin: "https://app.example.com/path" }, "/bind/origin"],
    [{ client_ip: "localhost" }, "/bind/client_ip"],
  ])("refuses bind %p naming %s", async (bind, field) => {
    const gw = await gateway();
    const res = await mintWith(gw.url, API_KEY, { subject: "alice", bind });
    expect(res.status).toBe(400);
    expect((res.body.errors as { field: string }[])[0]!.field).toBe(field);
  });

  test("refuses metadata keys ticketgate keeps for itself", async () => {
    const gw = await gateway();
    const res = await mintWith(gw.url, API_KEY, {
      subject: "alice",
      metadata: { "$ticketgate.bind": { origin: APP } },
    });
    expect(res.status).toBe(400);
  });

  test("keeps the binding out of the session's metadata", async () => {
    const gw = await gateway();
    const welcomed = await gw.mint({
      subject: "alice",
      metadata: { plan: "pro" },
      bind: { client_ip: "127.0.0.1" },
    });
    await using ok = openSocket(`${gw.wsUrl}?ticket=${welcomed}`);
    expect((await ok.next()).metadata).toEqual({ plan: "pro" });
  });
});

const REDIS_URL = process.env.TICKETGATE_REDIS_URL;
const stores: [string, () => TicketStore][] = [
  [
    "sqlite",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "ticketgate-bound-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return new SqliteTicketStore({ path: join(dir, "t.sqlite"), maxTickets: 100 });
    },
  ],
];
if (REDIS_URL)
  stores.push([
    "redis",
    () =>
      new RedisTicketStore({
        url: REDIS_URL,
        prefix: `tg-bound:${crypto.randomUUID()}:`,
        maxTickets: 100,
      }),
  ]);
else if (process.env.CI !== "true")
  console.warn("REDIS TESTS SKIPPED: bound tickets run against sqlite only");

describe.each(stores)("through the %s store", (_name, open) => {
  test("a binding survives storage and is enforced", async () => {
    const gw = await gateway({ store: open() });
    const ticket = await gw.mint({ subject: "alice", bind: { origin: APP } });
    expect((await upgrade(gw, ticket, { Origin: "https://evil.example" })).status).toBe(403);
    const good = await gw.mint({ subject: "alice", bind: { origin: APP } });
    expect((await upgrade(gw, good, { Origin: APP })).status).toBe(101);
  });
});
