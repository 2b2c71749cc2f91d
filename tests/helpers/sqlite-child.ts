/**
 * A second process on a SQLite ticket file, driven by sqlite-restart.test.ts.
 *
 *   bun sqlite-child.ts mint <db> <count>
 *     mints <count> tickets, redeems the first, prints one JSON line
 *     {"tickets": [...], "used": "<ticket>"}, then keeps minting and redeeming until killed.
 *   bun sqlite-child.ts race <db> <tickets.json> <startAtMs>
 *     waits until <startAtMs>, tries to redeem every ticket in the file, prints one JSON line
 *     {"won": [...hashes], "refused": {"<reason>": n}} and exits.
 */
import { readFileSync } from "node:fs";
import { SqliteTicketStore } from "../../src/tickets/sqlite.ts";
import { generateTicket, hashTicket, type TicketRecord } from "../../src/tickets/ticket.ts";

const TTL_MS = 10 * 60_000;
const [mode, path, ...rest] = process.argv.slice(2);
if (!path) throw new Error("usage: sqlite-child.ts mint|race <db> …");

const store = new SqliteTicketStore({ path, maxTickets: 1_000_000, sweepIntervalMs: 0 });

function record(): TicketRecord {
  return {
    subject: "child",
    channels: [{ pattern: "chat:*", publish: true }],
    expiresAt: Date.now() + TTL_MS,
  };
}

async function mintOne(): Promise<string> {
  const ticket = generateTicket();
  const result = await store.put(hashTicket(ticket), record());
  if (!result.ok) throw new Error(`put failed: ${result.reason}`);
  return ticket;
}

async function mint(count: number): Promise<void> {
  const tickets: string[] = [];
  for (let i = 0; i < count; i++) tickets.push(await mintOne());
  const [used] = tickets;
  if (used === undefined || !(await store.consume(hashTicket(used))).ok)
    throw new Error("first consume failed");
  console.log(JSON.stringify({ tickets, used }));

  // Keep writing, so that the kill lands in the middle of transactions.
  for (;;) {
    const ticket = await mintOne();
    await store.consume(hashTicket(ticket));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function race(ticketsFile: string, startAt: number): Promise<void> {
  const tickets = JSON.parse(readFileSync(ticketsFile, "utf8")) as string[];
  await Bun.sleep(Math.max(0, startAt - Date.now()));

  const won: string[] = [];
  const refused: Record<string, number> = {};
  for (const ticket of tickets) {
    const result = await store.consume(hashTicket(ticket));
    if (result.ok) won.push(hashTicket(ticket));
    else refused[result.reason] = (refused[result.reason] ?? 0) + 1;
  }
  console.log(JSON.stringify({ won, refused }));
  await store.close();
}

if (mode === "mint") await mint(Number(rest[0] ?? "10"));
else if (mode === "race") await race(rest[0] ?? "", Number(rest[1] ?? "0"));
else throw new Error(`unknown mode ${mode}`);
