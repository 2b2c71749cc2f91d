/** How sessions end, and what the SDK does next: revocation, maximum age, renewal in place. */
import { afterEach, describe, expect, test } from "bun:test";
import { TicketgateClient, TicketgateError } from "../../src/client/index.ts";
import { ManualClock } from "../../src/tickets/clock.ts";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { mintingSource, nextEvent } from "./fixtures.ts";

/** The gateway sweeps for expired sessions once a second. */
const SWEEP_WAIT_MS = 5000;

let gw: TestGateway | undefined;
const clients: TicketgateClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.stop();
  gw = undefined;
});

function track(client: TicketgateClient): TicketgateClient {
  clients.push(client);
  return client;
}

describe("revocation", () => {
  test("a revoked session closes with 4001 and the client stops without asking for a ticket", async () => {
    const g = (gw = await startGateway());
    const source = mintingSource(() => g, { subject: "mallory" });
    const client = track(
      new TicketgateClient({
        url: g.wsUrl,
        getTicket: source.getTicket,
        reconnect: { initialDelayMs: 10 },
      }),
    );
    await client.connect();
    const closed = nextEvent(client, "close");

    const res = await fetch(`${g.url}/api/v1/subjects/mallory/sessions`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(res.status).toBe(200);
    expect(await closed).toMatchObject({ code: 4001, willReconnect: false });
    expect(client.state).toBe("closed");
    const error = (await client.connect().catch((e: unknown) => e)) as TicketgateError;
    expect(error.code).toBe("revoked");
    await Bun.sleep(200);
    expect(source.tickets).toHaveLength(1);
  });
});

describe("maximum age", () => {
  test("a session closed with 4002 is replaced using a fresh ticket", async () => {
    const clock = new ManualClock();
    const g = (gw = await startGateway({ clock, config: { sessionMaxAge: 60 } }));
    const source = mintingSource(() => g);
    const client = track(
      new TicketgateClient({
        url: g.wsUrl,
        getTicket: source.getTicket,
        renew: false,
        reconnect: { initialDelayMs: 50 },
      }),
    );
    const first = await client.connect();
    const closed = nextEvent(client, "close", SWEEP_WAIT_MS);
    const next = nextEvent(client, "welcome", SWEEP_WAIT_MS + 2000);

    clock.advance(61_000);
    expect(await closed).toMatchObject({ code: 4002, willReconnect: true });
    expect((await next).session).not.toBe(first.session);
    expect(source.tickets).toHaveLength(2);
    expect(source.tickets[1]).not.toBe(source.tickets[0]);
  });

  test("a session is renewed in place before its maximum age, keeping its socket", async () => {
    const MAX_AGE_S = 2;
    const g = (gw = await startGateway({ config: { sessionMaxAge: MAX_AGE_S } }));
    const source = mintingSource(() => g);
    const client = track(new TicketgateClient({ url: g.wsUrl, getTicket: source.getTicket }));
    let closes = 0;
    client.on("close", () => closes++);
    const welcome = await client.connect();

    const renewed = await nextEvent(client, "reauthed", MAX_AGE_S * 1000 + 2000);
    expect(Date.parse(renewed.expires_at)).toBeGreaterThan(Date.parse(welcome.expires_at!));
    expect(client.session?.session).toBe(welcome.session);
    expect(client.session?.expires_at).toBe(renewed.expires_at);
    expect(closes).toBe(0);
    expect(source.tickets).toHaveLength(2);
  });
});
