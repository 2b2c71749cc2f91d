/** The single executable end to end: tickets, sessions, demo and docs, every store, offline. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-env.ts";
import { openSocket } from "../helpers/ws-client.ts";
import {
  BUILD_TIMEOUT_MS,
  obtainBinary,
  startBinary,
  type Binary,
  type RunningBinary,
} from "./binary-process.ts";

const KEY = "binary-test-key-0123456789abcdef";
let binary: Binary;

beforeAll(async () => {
  binary = await obtainBinary();
}, BUILD_TIMEOUT_MS);
afterAll(() => binary?.dispose());

async function mint(server: RunningBinary): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ subject: "smoke", channels: ["smoke:*"] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** Mint, connect by sub-protocol, welcome, then the same ticket again: 401. */
async function smoke(server: RunningBinary): Promise<void> {
  const ticket = await mint(server);
  await using socket = openSocket(`ws://127.0.0.1:${server.port}/ws`, ["ticketgate.v1", ticket]);
  expect(await socket.next()).toMatchObject({ type: "welcome", subject: "smoke" });
  expect(socket.ws.protocol).toBe("ticketgate.v1");

  const again = await rawRequest(
    server.port,
    "/ws",
    upgradeHeaders({ "Sec-WebSocket-Protocol": `ticketgate.v1, ${ticket}` }),
  );
  expect(again.status).toBe(401);
  expect(again.headers["content-type"]).toBe("application/problem+json");
}

describe("the compiled binary", () => {
  test("mints a ticket, opens a session with it, and refuses its second use", async () => {
    await using server = await startBinary(binary.path, ["--api-keys", KEY]);
    await smoke(server);
  });

  test("serves the demo page and the SDK's browser build from inside itself", async () => {
    await using server = await startBinary(binary.path, ["--api-keys", KEY]);

    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("ticketgate");
    const sdk = await fetch(`${server.url}/demo/sdk.js`);
    expect(sdk.status).toBe(200);
    expect(await sdk.text()).toContain("TicketgateClient");
    expect((await fetch(`${server.url}/demo/demo.js`)).status).toBe(200);
  });

  test("serves Swagger UI with its own assets and the spec", async () => {
    await using server = await startBinary(binary.path, ["--api-keys", KEY]);

    const html = await (await fetch(`${server.url}/swagger`)).text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      expect(asset.startsWith("/")).toBe(true);
      const res = await fetch(`${server.url}${asset}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    const spec = (await (await fetch(`${server.url}/swagger/json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toContain("/api/v1/tickets");
  });

  test("turns the demo page off with TICKETGATE_DEMO=false", async () => {
    await using server = await startBinary(binary.path, ["--api-keys", KEY], {
      TICKETGATE_DEMO: "false",
    });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
  });

  test("runs the sqlite store on a file of its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ticketgate-binary-sqlite-"));
    try {
      const file = join(dir, "tickets.sqlite");
      await using server = await startBinary(binary.path, [
        "--api-keys",
        KEY,
        "--store",
        "sqlite",
        "--sqlite-path",
        file,
      ]);
      expect(server.stdout()).toContain('"store":"sqlite"');
      await smoke(server);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithRedis("the compiled binary with Redis", (url) => {
  test("runs the redis store", async () => {
    await using server = await startBinary(
      binary.path,
      ["--api-keys", KEY, "--store", "redis", "--redis-prefix", uniquePrefix()],
      {
        TICKETGATE_REDIS_URL: url,
      },
    );
    expect(server.stdout()).toContain('"store":"redis"');
    await smoke(server);
  });
});
