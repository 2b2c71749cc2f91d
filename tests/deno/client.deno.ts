/**
 * The SDK under Deno, unchanged, against a real ticketgate child process. Uses node:test
 * and node:assert so the same file reads like the rest of the suite.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { TicketgateClient, TicketgateError } from "../../src/client/index.ts";
import { startGatewayProcess, type GatewayProcess } from "./gateway-process.ts";

const gateways: GatewayProcess[] = [];
const clients: TicketgateClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of gateways.splice(0)) await g.stop();
});

async function gateway(port = 0): Promise<GatewayProcess> {
  const gw = await startGatewayProcess(port);
  gateways.push(gw);
  return gw;
}

function client(options: ConstructorParameters<typeof TicketgateClient>[0]): TicketgateClient {
  const c = new TicketgateClient(options);
  clients.push(c);
  return c;
}

test("under Deno, receives the welcome the server sends on open", async () => {
  const gw = await gateway();
  const c = client({
    url: gw.wsUrl,
    getTicket: () => gw.mint({ subject: "dana", metadata: { runtime: "deno" } }),
  });
  const welcome = await c.connect();
  assert.equal(welcome.subject, "dana");
  assert.deepEqual(welcome.metadata, { runtime: "deno" });
  assert.equal(c.state, "open");
});

test("under Deno, matches a ping to its pong", async () => {
  const gw = await gateway();
  const c = client({ url: gw.wsUrl, getTicket: () => gw.mint() });
  await c.connect();
  const reply = await c.request({ type: "ping" });
  assert.equal(reply.type, "pong");
  assert.equal(typeof reply.id, "number");
});

test("under Deno, reports a refused ticket as handshake_failed with the 401 Deno reveals", async () => {
  const gw = await gateway();
  const c = client({ url: gw.wsUrl, getTicket: () => `tgt_${"A".repeat(43)}`, reconnect: false });
  const error = await c.connect().then(
    () => assert.fail("connected with an unknown ticket"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TicketgateError);
  assert.equal(error.code, "handshake_failed");
  // Deno names the status in its error text; browsers do not.
  assert.equal(error.status, 401);
});

test("under Deno, delivers a message published by another client", async () => {
  const gw = await gateway();
  const mintFor = (subject: string) => () => gw.mint({ subject, channels: ["chat:*"] });
  const alice = client({ url: gw.wsUrl, getTicket: mintFor("alice") });
  const bob = client({ url: gw.wsUrl, getTicket: mintFor("bob") });
  await alice.connect();
  await bob.connect();
  let deliver!: (data: unknown) => void;
  const received = new Promise<unknown>((resolve) => (deliver = resolve));
  await alice.subscribe("chat:lobby", (data) => deliver(data));

  await bob.publish("chat:lobby", { text: "hello from bob" });
  assert.deepEqual(await received, { text: "hello from bob" });
});

test("under Deno, reconnects after a restart with a fresh ticket", async () => {
  let gw = await gateway();
  const tickets: string[] = [];
  const c = client({
    url: gw.wsUrl,
    getTicket: async () => {
      const t = await gw.mint();
      tickets.push(t);
      return t;
    },
    reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
  });
  const first = await c.connect();
  const closed = new Promise<number>((resolve) => c.on("close", ({ code }) => resolve(code)));
  const welcomed = new Promise<string>((resolve) => c.on("welcome", (w) => resolve(w.session)));

  await gw.stop();
  gateways.splice(gateways.indexOf(gw), 1);
  assert.equal(await closed, 1001);
  gw = await gateway(gw.port);

  assert.notEqual(await welcomed, first.session);
  assert.equal(new Set(tickets).size, tickets.length);
});
