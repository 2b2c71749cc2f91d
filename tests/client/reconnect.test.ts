/** Reconnection against a real gateway: restarts, fresh tickets, jittered back-off. */
import { afterEach, describe, expect, test } from "bun:test";
import { TicketgateClient } from "../../src/client/index.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { mintingSource, nextEvent, recordingWebSocket, waitFor, type Opened } from "./fixtures.ts";

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

function track(client: TicketgateClient): TicketgateClient {
  clients.push(client);
  return client;
}

describe("after a server restart", () => {
  test("reconnects, with a fresh ticket for every attempt", async () => {
    let gw = await gateway();
    const opened: Opened[] = [];
    const source = mintingSource(() => gw);
    const client = track(
      new TicketgateClient({
        url: gw.wsUrl,
        getTicket: source.getTicket,
        WebSocket: recordingWebSocket(opened),
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      }),
    );
    const first = await client.connect();
    const closed = nextEvent(client, "close");

    await gw.stop();
    expect(await closed).toMatchObject({ code: 1001, willReconnect: true });
    gw = await gateway(gw.port);
    const second = await nextEvent(client, "welcome");

    expect(second.session).not.toBe(first.session);
    expect(new Set(source.tickets).size).toBe(source.tickets.length);
    const offered = opened.map((o) => (o.protocols as string[])[1]);
    expect(new Set(offered).size).toBe(opened.length);
    expect(offered.at(-1)).toBe(source.tickets.at(-1));
  });

  test("a crowd of clients spreads its retries instead of returning in one wave", async () => {
    const CLIENTS = 8;
    const ATTEMPTS = 3;
    const backoff = { initialDelayMs: 200, maxDelayMs: 800 };
    let gw = await gateway();
    const delays: number[][] = Array.from({ length: ATTEMPTS }, () => []);
    for (let i = 0; i < CLIENTS; i++) {
      const client = track(
        new TicketgateClient({ url: gw.wsUrl, getTicket: () => gw.mint(), reconnect: backoff }),
      );
      let n = 0;
      client.on("reconnecting", ({ delayMs }) => {
        if (n < ATTEMPTS) delays[n++]!.push(delayMs);
      });
      await client.connect();
    }

    await gw.stop();
    await waitFor(
      () => delays.every((d) => d.length === CLIENTS),
      10_000,
      "three retries per client",
    );

    delays.forEach((round, n) => {
      const ceiling = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** n);
      expect(round.every((d) => d >= 0 && d < ceiling)).toBe(true);
      // Uniform draws from 200+ values: eight identical delays would mean no jitter at all.
      expect(new Set(round).size).toBeGreaterThan(CLIENTS / 2);
    });

    gw = await gateway(gw.port);
    await waitFor(() => clients.every((c) => c.state === "open"), 10_000, "every client back");
  });
});
