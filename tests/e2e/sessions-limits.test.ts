/** Limits and lifecycle with real clients: frame size, rate, session cap, idle peers, max age, reauth. */
import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/tickets/clock.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { openRawSession } from "../helpers/raw-ws.ts";
import { eventually, openSession, type Session } from "../helpers/sessions.ts";

let gw: TestGateway;
const open: Session[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s[Symbol.asyncDispose]();
  await gw?.stop();
});

async function session(body: Record<string, unknown> = { subject: "alice" }): Promise<Session> {
  const s = await openSession(gw, gw.wsUrl, body);
  open.push(s);
  return s;
}

describe("frame size", () => {
  test("a frame above TICKETGATE_MAX_FRAME_BYTES closes the session with 1009", async () => {
    gw = await startGateway({ config: { maxFrameBytes: 1024 } });
    const s = await session();
    s.send({ type: "ping", id: "x".repeat(1100) });
    expect((await s.closed).code).toBe(1009);
  });

  test("a frame of exactly the limit is answered", async () => {
    gw = await startGateway({ config: { maxFrameBytes: 1024 } });
    const s = await session();
    const shell = JSON.stringify({ type: "ping", id: "" });
    const id = "y".repeat(1024 - shell.length);
    expect(await s.request({ type: "ping", id })).toEqual({ type: "pong", id });
  });
});

describe("message rate", () => {
  // The clock stands still, so the bucket refills only when the test moves it.
  test("frames past the burst get rate_limited with their ids, and the session recovers when it slows down", async () => {
    const clock = new ManualClock();
    gw = await startGateway({ clock, config: { messageRate: 5 } });
    const s = await session();
    for (let id = 0; id < 12; id++) s.send({ type: "ping", id });

    const replies = [];
    for (let i = 0; i < 12; i++) replies.push(await s.next());
    expect(replies.slice(0, 10).every((r) => r.type === "pong")).toBe(true);
    expect(replies.slice(10)).toEqual([
      { type: "error", code: "rate_limited", message: expect.any(String), id: 10 },
      { type: "error", code: "rate_limited", message: expect.any(String), id: 11 },
    ]);

    clock.advance(1000);
    expect(await s.request({ type: "ping", id: "later" })).toEqual({ type: "pong", id: "later" });
  });

  test("a session that keeps sending a whole burst past the refusals is closed with 1008", async () => {
    gw = await startGateway({ clock: new ManualClock(), config: { messageRate: 5 } });
    const s = await session();
    for (let id = 0; id < 21; id++) s.send({ type: "ping", id });
    expect((await s.closed).code).toBe(1008);
  });
});

describe("sessions per subject", () => {
  test("the cap refuses one more session with 429, spares other subjects, and frees a slot when one leaves", async () => {
    gw = await startGateway({ config: { maxSessionsPerSubject: 2 } });
    const first = await session({ subject: "alice" });
    await session({ subject: "alice" });

    const refused = await rawRequest(
      gw.port,
      `/ws?ticket=${await gw.mint({ subject: "alice" })}`,
      upgradeHeaders(),
    );
    expect(refused.status).toBe(429);
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    await session({ subject: "bob" });

    first.ws.close();
    await first.closed;
    await eventually(async () => {
      const res = await rawRequest(
        gw.port,
        `/ws?ticket=${await gw.mint({ subject: "alice" })}`,
        upgradeHeaders(),
      );
      return res.status === 101;
    });
  });
});

describe("idle timeout", () => {
  test("a peer that completes the handshake but never answers pings is dropped within the idle timeout; a live one stays", async () => {
    const idleSeconds = 8; // Bun's smallest idle timeout
    const marginMs = 4000;
    gw = await startGateway({ config: { idleTimeout: idleSeconds } });
    const live = await session({ subject: "live" });
    const dead = await openRawSession(gw.port, await gw.mint({ subject: "dead" }));
    try {
      const lived = await Promise.race([
        dead.closed,
        Bun.sleep(idleSeconds * 1000 + marginMs).then(() => -1),
      ]);
      expect(lived).toBeGreaterThan(0);
      expect(
        gw.logs.some((l) => l.includes('"session closed"') && l.includes('"subject":"dead"')),
      ).toBe(true);
      expect(await live.request({ type: "ping", id: "still here" })).toEqual({
        type: "pong",
        id: "still here",
      });
    } finally {
      dead.socket.destroy();
    }
  }, 30_000);
});

describe("maximum session age", () => {
  test("a session is closed with 4002 once its maximum age has passed, and not before", async () => {
    const clock = new ManualClock();
    gw = await startGateway({ clock, config: { sessionMaxAge: 60 } });
    const s = await session();
    expect(s.welcome.expires_at).toBe(new Date(clock.now() + 60_000).toISOString());

    clock.advance(59_999);
    gw.gate.registry.sweep();
    expect(await s.request({ type: "ping" })).toEqual({ type: "pong" });

    clock.advance(1);
    gw.gate.registry.sweep();
    expect(await s.closed).toEqual({ code: 4002, reason: "session expired" });
  });
});

describe("reauth", () => {
  const start = async (clock = new ManualClock()) => {
    gw = await startGateway({ clock, config: { sessionMaxAge: 60 } });
    const s = await session({ subject: "alice", channels: ["chat:*", "news:*"] });
    await s.request({ type: "subscribe", channel: "chat:a" });
    await s.request({ type: "subscribe", channel: "news:x" });
    return { clock, s };
  };

  test("a fresh ticket for the same subject restarts the maximum age and may narrow the channels", async () => {
    const { clock, s } = await start();
    clock.advance(50_000);
    const ticket = await gw.mint({ subject: "alice", channels: ["chat:*"] });

    const reply = await s.request({ type: "reauth", ticket, id: "r" });
    expect(reply).toEqual({
      type: "reauthed",
      channels: ["chat:*"],
      expires_at: new Date(clock.now() + 60_000).toISOString(),
      dropped: ["news:x"],
      id: "r",
    });
    expect(await s.request({ type: "subscribe", channel: "news:y" })).toMatchObject({
      code: "forbidden",
    });

    clock.advance(20_000); // past the first expiry, within the second
    gw.gate.registry.sweep();
    expect(await s.request({ type: "ping" })).toEqual({ type: "pong" });
  });

  test.each([
    ["one that widens the channels", { subject: "alice", channels: ["chat:*", "admin:*"] }],
    ["one that asks for every channel", { subject: "alice", channels: ["*"] }],
    ["one for another subject", { subject: "mallory", channels: ["chat:*"] }],
  ])("refuses %s and changes nothing", async (_what, body) => {
    const { clock, s } = await start();
    const reply = await s.request({ type: "reauth", ticket: await gw.mint(body), id: 1 });
    expect(reply).toMatchObject({ type: "error", code: "reauth_failed", id: 1 });

    expect((await s.request({ type: "subscribe", channel: "news:z" })).type).toBe("subscribed");
    clock.advance(60_000);
    gw.gate.registry.sweep();
    expect((await s.closed).code).toBe(4002);
  });

  test("refuses a used ticket and a malformed one with the generic message", async () => {
    const { s } = await start();
    const ticket = await gw.mint({ subject: "alice", channels: ["chat:*"] });
    expect((await s.request({ type: "reauth", ticket })).type).toBe("reauthed");

    for (const bad of [ticket, "tgt_short", 42]) {
      const reply = await s.request({ type: "reauth", ticket: bad });
      const message = "The ticket is missing, invalid, expired or already used.";
      expect(reply).toMatchObject({ type: "error", code: "reauth_failed", message });
    }
  });

  test("a subscribe-only grant stays subscribe-only after reauth", async () => {
    const clock = new ManualClock();
    gw = await startGateway({ clock });
    const s = await session({
      subject: "alice",
      channels: [{ pattern: "news:*", publish: false }],
    });
    const narrower = await gw.mint({
      subject: "alice",
      channels: [{ pattern: "news:today", publish: false }],
    });
    const reply = await s.request({ type: "reauth", ticket: narrower });
    expect(reply.channels).toEqual([{ pattern: "news:today", publish: false }]);
    expect(await s.request({ type: "publish", channel: "news:today", data: 1 })).toMatchObject({
      code: "forbidden",
    });
  });
});
