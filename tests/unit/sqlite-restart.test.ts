/** The SQLite store across killed processes, and two processes sharing one file. */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteTicketStore } from "../../src/tickets/sqlite.ts";
import { generateTicket, hashTicket } from "../../src/tickets/ticket.ts";

const CHILD = join(import.meta.dir, "..", "helpers", "sqlite-child.ts");
const LINE_BOUND_MS = 15_000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "ticketgate-restart-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "tickets.sqlite");
}

function spawnChild(args: string[]) {
  const child = Bun.spawn([process.execPath, CHILD, ...args], { stdout: "pipe", stderr: "pipe" });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
    await child.exited;
  });
  return child;
}

/** Reads the child's first stdout line, bounded in time. */
async function firstLine(child: ReturnType<typeof spawnChild>): Promise<unknown> {
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + LINE_BOUND_MS;
  while (!text.includes("\n")) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error("child printed no line in time");
    const chunk = await Promise.race([reader.read(), Bun.sleep(left).then(() => undefined)]);
    if (chunk === undefined) continue;
    if (chunk.done)
      throw new Error(`child ended early: ${await new Response(child.stderr).text()}`);
    text += decoder.decode(chunk.value, { stream: true });
  }
  reader.releaseLock();
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

function integrity(path: string): string {
  const db = new Database(path);
  try {
    return (
      db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check ??
      ""
    );
  } finally {
    db.close();
  }
}

describe("sqlite ticket store across process deaths", () => {
  test.each([["SIGTERM"], ["SIGKILL"]] as const)(
    "keeps minted tickets redeemable and a used ticket used after %s",
    async (signal) => {
      const path = tempDb();
      const child = spawnChild(["mint", path, "50"]);
      const { tickets, used } = (await firstLine(child)) as { tickets: string[]; used: string };
      await Bun.sleep(100);

      process.kill(child.pid, signal);
      await child.exited;
      expect(child.signalCode).toBe(signal);

      expect(integrity(path)).toBe("ok");
      const store = new SqliteTicketStore({ path, maxTickets: 1_000_000, sweepIntervalMs: 0 });
      cleanups.push(() => store.close());
      expect(await store.consume(hashTicket(used))).toEqual({ ok: false, reason: "used" });
      for (const ticket of tickets.filter((t) => t !== used)) {
        expect((await store.consume(hashTicket(ticket))).ok).toBe(true);
      }
    },
    30_000,
  );

  test("gives each ticket to exactly one of two processes racing on one file", async () => {
    const path = tempDb();
    const store = new SqliteTicketStore({ path, maxTickets: 1_000_000, sweepIntervalMs: 0 });
    cleanups.push(() => store.close());
    const tickets = Array.from({ length: 300 }, generateTicket);
    const expiresAt = Date.now() + 600_000;
    for (const ticket of tickets) {
      expect(
        await store.put(hashTicket(ticket), { subject: "race", channels: [], expiresAt }),
      ).toEqual({ ok: true });
    }
    const file = join(path, "..", "tickets.json");
    writeFileSync(file, JSON.stringify(tickets));

    const startAt = String(Date.now() + 1_000);
    const racers = [
      spawnChild(["race", path, file, startAt]),
      spawnChild(["race", path, file, startAt]),
    ];
    const reports = (await Promise.all(racers.map(firstLine))) as Array<{
      won: string[];
      refused: Record<string, number>;
    }>;

    const won = reports.flatMap((r) => r.won);
    expect(won).toHaveLength(tickets.length);
    expect(new Set(won).size).toBe(tickets.length);
    for (const report of reports)
      expect(Object.keys(report.refused).filter((r) => r !== "used")).toEqual([]);
    expect(integrity(path)).toBe("ok");
  }, 30_000);
});
