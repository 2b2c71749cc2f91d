/** The SDK against a real gateway: connecting, request/reply by id, refusals, stopping. */
import { afterEach, describe, expect, test } from "bun:test";
import { TicketgateClient, TicketgateError, type ConnectionState } from "../../src/client/index.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { mintingSource, nextEvent, recordingWebSocket, type Opened } from "./fixtures.ts";

let gw: TestGateway;
let client: TicketgateClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await gw?.stop();
});

describe("connecting", () => {
  test("connects with the ticket as a sub-protocol and resolves with the welcome", async () => {
    gw = await startGateway();
    const opened: Opened[] = [];
    const source = mintingSource(() => gw, {
      subject: "alice",
      channels: ["chat:*"],
      metadata: { plan: "pro" },
    });
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: source.getTicket,
      WebSocket: recordingWebSocket(opened),
    });

    const welcome = await client.connect();
    expect(welcome).toMatchObject({ type: "welcome", subject: "alice", metadata: { plan: "pro" } });
    expect(client.state).toBe("open");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.protocols).toEqual(["ticketgate.v1", source.tickets[0]!]);
  });

  test("never puts the ticket in the URL in sub-protocol mode", async () => {
    gw = await startGateway();
    const opened: Opened[] = [];
    const source = mintingSource(() => gw);
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: source.getTicket,
      WebSocket: recordingWebSocket(opened),
    });
    await client.connect();

    expect(opened[0]!.url).toBe(gw.wsUrl);
    expect(opened[0]!.url).not.toContain("tgt_");
  });

  test("puts the ticket in the query when told to", async () => {
    gw = await startGateway();
    const opened: Opened[] = [];
    const source = mintingSource(() => gw);
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: source.getTicket,
      ticketIn: "query",
      WebSocket: recordingWebSocket(opened),
    });

    expect((await client.connect()).type).toBe("welcome");
    expect(opened[0]!.url).toBe(`${gw.wsUrl}?ticket=${source.tickets[0]}`);
    expect(opened[0]!.protocols).toBeUndefined();
  });

  test("accepts the mint answer object as getTicket's result", async () => {
    gw = await startGateway();
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: async () => ({ ticket: await gw.mint() }),
    });
    expect((await client.connect()).subject).toBe("alice");
  });

  test("reports each state change in order", async () => {
    gw = await startGateway();
    client = new TicketgateClient({ url: gw.wsUrl, getTicket: () => gw.mint() });
    const states: ConnectionState[] = [];
    client.on("state", ({ state }) => states.push(state));

    await client.connect();
    client.close();
    expect(states).toEqual(["connecting", "open", "closed"]);
  });

  test("resolves http URLs as ws URLs", async () => {
    gw = await startGateway();
    client = new TicketgateClient({ url: `${gw.url}/ws`, getTicket: () => gw.mint() });
    expect((await client.connect()).type).toBe("welcome");
  });
});

describe("request and reply", () => {
  test("matches concurrent replies to their requests by id", async () => {
    gw = await startGateway();
    client = new TicketgateClient({ url: gw.wsUrl, getTicket: () => gw.mint() });
    await client.connect();

    const replies = await Promise.all([1, 2, 3, 4, 5].map(() => client!.request({ type: "ping" })));
    const ids = replies.map((r) => r.id);
    expect(new Set(ids).size).toBe(5);
    expect(replies.every((r) => r.type === "pong")).toBe(true);
  });

  test("ping resolves with a round-trip time", async () => {
    gw = await startGateway();
    client = new TicketgateClient({ url: gw.wsUrl, getTicket: () => gw.mint() });
    await client.connect();
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
  });

  test("a request without an open session rejects with not_connected", async () => {
    gw = await startGateway();
    client = new TicketgateClient({ url: gw.wsUrl, getTicket: () => gw.mint() });
    const error = await client.publish("chat:lobby", 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketgateError);
    expect((error as TicketgateError).code).toBe("not_connected");
  });
});

describe("refused upgrades", () => {
  test("a refused ticket surfaces as handshake_failed with the 401 that Bun reveals", async () => {
    gw = await startGateway();
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => `tgt_${"A".repeat(43)}`,
      reconnect: false,
    });
    const errors: TicketgateError[] = [];
    client.on("error", (e) => errors.push(e));

    const error = (await client.connect().catch((e: unknown) => e)) as TicketgateError;
    expect(error.code).toBe("handshake_failed");
    expect(error.status).toBe(401);
    expect(error.message).toContain("expired or already used");
    expect(`${error.message} ${String(error.cause)}`).not.toContain("tgt_A");
    expect(errors.map((e) => e.code)).toEqual(["handshake_failed"]);
    expect(client.state).toBe("closed");
  });

  test("a refused origin surfaces as handshake_failed with status 403", async () => {
    gw = await startGateway({ config: { allowedOrigins: ["https://app.example.com"] } });
    const ForeignOrigin = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, {
          protocols,
          headers: { origin: "https://evil.example.net" },
        } as unknown as string[]); // boundary: Bun's extra constructor form
      }
    };
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => gw.mint(),
      reconnect: false,
      WebSocket: ForeignOrigin,
    });

    const error = (await client.connect().catch((e: unknown) => e)) as TicketgateError;
    expect(error.code).toBe("handshake_failed");
    expect(error.status).toBe(403);
  });

  test("a ticket in query mode is masked in the runtime's error text", async () => {
    gw = await startGateway();
    const ticket = await gw.mint();
    const first = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => ticket,
      ticketIn: "query",
      reconnect: false,
    });
    await first.connect();
    first.close();
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => ticket,
      ticketIn: "query",
      reconnect: false,
    });

    const error = (await client.connect().catch((e: unknown) => e)) as TicketgateError;
    expect(error.status).toBe(401);
    expect(String(error.cause)).not.toContain(ticket);
  });

  test("a ticket used twice is refused, so every attempt needs a fresh one", async () => {
    gw = await startGateway();
    const ticket = await gw.mint();
    const first = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => ticket,
      reconnect: false,
    });
    const second = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => ticket,
      reconnect: false,
    });
    try {
      await first.connect();
      expect(((await second.connect().catch((e: unknown) => e)) as TicketgateError).code).toBe(
        "handshake_failed",
      );
    } finally {
      first.close();
      second.close();
    }
  });

  test("gives up after maxAttempts failed attempts in a row", async () => {
    gw = await startGateway();
    let calls = 0;
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => (calls++, `tgt_${"B".repeat(43)}`),
      reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 },
    });

    const error = (await client.connect().catch((e: unknown) => e)) as TicketgateError;
    expect(error.code).toBe("gave_up");
    expect(calls).toBe(3);
  });

  test("a getTicket that throws counts as a failed attempt and is retried", async () => {
    gw = await startGateway();
    let calls = 0;
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => {
        if (++calls === 1) throw new Error("backend hiccup");
        return gw.mint();
      },
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    const firstError = nextEvent(client, "error");

    expect((await client.connect()).type).toBe("welcome");
    expect((await firstError).code).toBe("ticket_unavailable");
    expect(calls).toBe(2);
  });

  test("a getTicket that returns null stops the client", async () => {
    gw = await startGateway();
    client = new TicketgateClient({ url: gw.wsUrl, getTicket: () => null });
    const error = (await client.connect().catch((e: unknown) => e)) as TicketgateError;
    expect(error.code).toBe("ticket_unavailable");
    expect(client.state).toBe("closed");
  });
});

describe("closing", () => {
  test("close() ends the session and nothing reconnects", async () => {
    gw = await startGateway();
    let calls = 0;
    client = new TicketgateClient({
      url: gw.wsUrl,
      getTicket: () => (calls++, gw.mint()),
      reconnect: { initialDelayMs: 10 },
    });
    await client.connect();

    client.close();
    await Bun.sleep(200);
    expect(client.state).toBe("closed");
    expect(calls).toBe(1);
    expect(((await client.connect().catch((e: unknown) => e)) as TicketgateError).code).toBe(
      "closed",
    );
  });
});
