/**
 * In-band reauth honours ticket bindings the way the upgrade does: a reauth ticket bound to
 * another origin or client address is refused, burned, and leaves the session as it was.
 * Pins the gap where reauth checked subject and channels but ignored the binding.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/tickets/clock.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { openSocket, type TestSocket } from "../helpers/ws-client.ts";

const APP = "https://app.example.com";
const ELSEWHERE = "203.0.113.7";
const MAX_AGE_S = 60;

let gw: TestGateway | undefined;
let socket: TestSocket | undefined;
afterEach(async () => {
  await socket?.[Symbol.asyncDispose]();
  await gw?.stop();
  socket = gw = undefined;
});

/**
 * A gateway that trusts the loopback proxy, so a test can redeem from `ELSEWHERE` through
 * X-Forwarded-For, and a session opened with `headers` on channels chat:* and news:*.
 */
async function start(headers: Record<string, string> = {}) {
  const clock = new ManualClock();
  gw = await startGateway({
    clock,
    config: { sessionMaxAge: MAX_AGE_S },
    security: { trustedProxies: ["127.0.0.1/32"] },
  });
  const ticket = await gw.mint({ subject: "alice", channels: ["chat:*", "news:*"] });
  socket = openSocket(`${gw.wsUrl}?ticket=${ticket}`, undefined, headers);
  expect((await socket.next()).type).toBe("welcome");
  const s = socket;
  const request = (frame: Record<string, unknown>) => {
    s.send(frame);
    return s.next();
  };
  return { gw, clock, s, request };
}

/** Headers of an upgrade made from where `bind` points: its origin and its address. */
function from(bind: { origin?: string; client_ip?: string }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (bind.origin !== undefined) headers.Origin = bind.origin;
  if (bind.client_ip !== undefined) headers["X-Forwarded-For"] = bind.client_ip;
  return headers;
}

describe("reauth with a bound ticket", () => {
  test.each([
    ["another origin", { Origin: APP }, { origin: "https://evil.example" }, "bound_origin"],
    ["an origin, when the session was opened without one", {}, { origin: APP }, "bound_origin"],
    ["another client address", {}, { client_ip: ELSEWHERE }, "bound_ip"],
    [
      "the session's origin but another address",
      { Origin: APP },
      { origin: APP, client_ip: ELSEWHERE },
      "bound_ip",
    ],
  ])(
    "refuses a ticket bound to %s, burns it and changes nothing",
    async (_what, headers, bind, reason) => {
      const { gw, clock, s, request } = await start(headers);
      const ticket = await gw.mint({ subject: "alice", channels: ["chat:*"], bind });

      const reply = await request({ type: "reauth", ticket, id: "r" });
      expect(reply).toMatchObject({ type: "error", code: "reauth_failed", id: "r" });
      expect(JSON.stringify(reply)).not.toContain(ticket);
      expect(gw.gate.metrics.reauths.get({ result: reason })).toBe(1);

      // Burned: even an upgrade from exactly where it was bound finds it used.
      expect(
        (await rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders(from(bind)))).status,
      ).toBe(401);

      // Unchanged: the wider grants still hold and the first maximum age still ends the session.
      expect(await request({ type: "subscribe", channel: "news:z", id: 2 })).toMatchObject({
        type: "subscribed",
      });
      clock.advance(MAX_AGE_S * 1000);
      gw.gate.registry.sweep();
      expect((await s.closed).code).toBe(4002);
    },
  );

  test.each([
    ["its own origin", { Origin: APP }, { origin: APP }],
    [
      "its own origin written in another case",
      { Origin: "https://App.Example.com" },
      { origin: APP },
    ],
    ["its own address", {}, { client_ip: "127.0.0.1" }],
    ["its own origin and address", { Origin: APP }, { origin: APP, client_ip: "127.0.0.1" }],
    [
      "the address a trusted proxy forwarded",
      { "X-Forwarded-For": ELSEWHERE },
      { client_ip: ELSEWHERE },
    ],
  ])("accepts a ticket bound to %s", async (_what, headers, bind) => {
    const { gw, request } = await start(headers);
    const ticket = await gw.mint({ subject: "alice", channels: ["chat:*"], bind });
    expect(await request({ type: "reauth", ticket, id: "r" })).toMatchObject({
      type: "reauthed",
      channels: ["chat:*"],
    });
  });

  test("never writes a refused reauth ticket into a log line", async () => {
    const { gw, request } = await start({ Origin: APP });
    const ticket = await gw.mint({
      subject: "alice",
      channels: ["chat:*"],
      bind: { origin: "https://evil.example" },
    });
    await request({ type: "reauth", ticket });
    expect(gw.logs.join("\n")).not.toContain(ticket);
  });
});
