/** Choosing a store from settings, and the one-line start-up errors when it cannot be used. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTicketStore, openTicketStore } from "../../src/tickets/create-store.ts";
import { checkRedisUrl, redactRedisUrl } from "../../src/tickets/redis.ts";
import type { TicketStore } from "../../src/tickets/store.ts";
import { freePort } from "../helpers/redis-server.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ticketgate-create-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function keep(store: TicketStore): TicketStore {
  cleanups.push(() => store.close());
  return store;
}

async function openError(...args: Parameters<typeof openTicketStore>): Promise<Error | undefined> {
  return openTicketStore(...args).then(
    (store) => void keep(store),
    (error: unknown) => error as Error,
  );
}

describe("createTicketStore", () => {
  test.each(["memory", "sqlite", "redis"] as const)("builds a %s store", (kind) => {
    const path = join(tempDir(), "t.sqlite");
    const store = keep(
      createTicketStore({ kind, maxTickets: 10, path, url: "redis://127.0.0.1:1" }),
    );
    expect(store.kind).toBe(kind);
  });
});

describe("openTicketStore", () => {
  test("opens a sqlite store in a folder it creates", async () => {
    const store = keep(
      await openTicketStore({
        kind: "sqlite",
        path: join(tempDir(), "a", "b", "t.sqlite"),
        maxTickets: 10,
      }),
    );
    expect(await store.isReady()).toBe(true);
  });

  test("names the setting when the sqlite file is not a database", async () => {
    const path = join(tempDir(), "not-a-db");
    writeFileSync(path, "x".repeat(4096));

    const error = await openError({ kind: "sqlite", path, maxTickets: 10 });
    expect(error?.message).toStartWith(
      `TICKETGATE_SQLITE_PATH: cannot open the ticket database "${path}" (`,
    );
    expect(error?.message).not.toContain("\n");
  });

  test("refuses a redis that is not there within 3 s, in one line without the password", async () => {
    const port = await freePort();
    const started = Date.now();

    const error = await openError({
      kind: "redis",
      url: `redis://user:hunter2@127.0.0.1:${port}`,
      maxTickets: 10,
    });
    expect(error?.message).toBe(
      `TICKETGATE_REDIS_URL: cannot reach redis at 127.0.0.1:${port} (connection refused)`,
    );
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  test("names the setting it was given", async () => {
    const error = await openError(
      { kind: "redis", url: "http://x", maxTickets: 1 },
      { settingName: "--redis-url" },
    );
    expect(error?.message).toStartWith("--redis-url: unsupported scheme");
  });
});

describe("checkRedisUrl", () => {
  test.each([
    ["redis://127.0.0.1:6380/2", { host: "127.0.0.1", port: 6380, db: 2, tls: false }],
    ["rediss://:secret@cache.internal", { host: "cache.internal", port: 6379, db: 0, tls: true }],
    ["redis://user:p%40ss@localhost:6379/", { host: "localhost", port: 6379, db: 0, tls: false }],
  ])("accepts %s", (url, expected) => {
    expect(checkRedisUrl(url)).toMatchObject({ ok: true, ...expected });
  });

  test.each([
    ["not a url", "not a valid URL"],
    ["http://localhost:6379", "unsupported scheme"],
    ["redis://localhost:6379/zero", "database number"],
    ["redis://localhost:6379/0?password=x", "query strings"],
    ["redis://:bad%zzpass@localhost", "malformed %-escape"],
    ["redis://localhost:99999", "not a valid URL"],
  ])("refuses %s", (url, problem) => {
    const check = checkRedisUrl(url);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problem).toContain(problem);
  });

  test("never repeats the password in a problem", () => {
    const check = checkRedisUrl("ftp://user:hunter2@host");
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problem).not.toContain("hunter2");
  });
});

describe("redactRedisUrl", () => {
  test("hides the user and password", () => {
    expect(redactRedisUrl("redis://user:hunter2@host:6379/1")).toBe("redis://***@host:6379/1");
  });

  test("leaves a URL without credentials as it is", () => {
    expect(redactRedisUrl("redis://host:6379")).toBe("redis://host:6379");
  });
});
