/** Channels through the SDK against a real gateway: subscribe, publish, server push, resubscribe. */
import { afterEach, describe, expect, test } from "bun:test";
import { TicketgateClient, TicketgateError, type MessageFrame } from "../../src/client/index.ts";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { nextEvent, waitFor } from "./fixtures.ts";

const gateways: TestGateway[] = [];
const clients: TicketgateClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of gateways.splice(0)) await g.stop();
});

async function gateway(port = 0): Promise<TestGateway> {
  const gw = await startGateway({ port });
  gateways.push(gw);
  return gw;
}

function connectAs(
  gw: () => TestGateway,
  subject: string,
  channels = ["chat:*"],
): TicketgateClient {
  const client = new TicketgateClient({
    url: gw().wsUrl,
    getTicket: () => gw().mint({ subject, channels }),
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  clients.push(client);
  return client;
}

function inbox(): {
  received: MessageFrame[];
  handler: (data: unknown, message: MessageFrame) => void;
} {
  const received: MessageFrame[] = [];
  return { received, handler: (_data, message) => received.push(message) };
}

async function pushFromServer(gw: TestGateway, channel: string, data: unknown): Promise<number> {
  const res = await fetch(`${gw.url}/api/v1/channels/${channel}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ data }),
  });
  return res.status;
}

describe("channels", () => {
  test("a message published by one client reaches another, naming its sender", async () => {
    const gw = await gateway();
    const alice = connectAs(() => gw, "alice");
    const bob = connectAs(() => gw, "bob");
    await alice.connect();
    const bobSession = (await bob.connect()).session;
    const box = inbox();
    await alice.subscribe("chat:lobby", box.handler);

    await bob.publish("chat:lobby", { text: "hi" });
    await waitFor(() => box.received.length === 1, 5000, "alice's message");
    expect(box.received[0]).toMatchObject({
      channel: "chat:lobby",
      data: { text: "hi" },
      from: { subject: "bob", session: bobSession },
    });
  });

  test("a message pushed over REST arrives from the server", async () => {
    const gw = await gateway();
    const alice = connectAs(() => gw, "alice");
    await alice.connect();
    const box = inbox();
    await alice.subscribe("chat:news", box.handler);

    expect(await pushFromServer(gw, "chat:news", 42)).toBe(202);
    await waitFor(() => box.received.length === 1, 5000, "the pushed message");
    expect(box.received[0]).toMatchObject({ data: 42, from: "server" });
  });

  test("subscribing to a channel the ticket does not grant rejects with forbidden", async () => {
    const gw = await gateway();
    const alice = connectAs(() => gw, "alice", ["chat:*"]);
    await alice.connect();

    const error = (await alice
      .subscribe("billing:all", () => {})
      .catch((e: unknown) => e)) as TicketgateError;
    expect(error).toBeInstanceOf(TicketgateError);
    expect(error.code).toBe("server");
    expect(error.serverCode).toBe("forbidden");
  });

  test("after unsubscribing, a handler receives nothing more", async () => {
    const gw = await gateway();
    const alice = connectAs(() => gw, "alice");
    await alice.connect();
    const box = inbox();
    const keep = inbox();
    const sub = await alice.subscribe("chat:lobby", box.handler);
    await alice.subscribe("chat:other", keep.handler);

    await sub.unsubscribe();
    await pushFromServer(gw, "chat:lobby", "dropped");
    await pushFromServer(gw, "chat:other", "kept");
    await waitFor(() => keep.received.length === 1, 5000, "the message on the kept channel");
    expect(box.received).toEqual([]);
  });

  test("resubscribes its channels after a server restart", async () => {
    let gw = await gateway();
    const alice = connectAs(() => gw, "alice");
    await alice.connect();
    const box = inbox();
    await alice.subscribe("chat:lobby", box.handler);

    await gw.stop();
    gw = await gateway(gw.port);
    await nextEvent(alice, "welcome");
    // The replayed subscribe may still be in flight: push until one lands, a bounded number of times.
    for (let i = 0; i < 50 && box.received.length === 0; i++) {
      await pushFromServer(gw, "chat:lobby", "after restart");
      await Bun.sleep(50);
    }
    expect(box.received[0]).toMatchObject({ data: "after restart", from: "server" });
  });
});
