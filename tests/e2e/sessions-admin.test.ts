/** The admin routes on one node: push, presence, session list, revocation, metrics. */
import { afterEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { admin, openSession, type Session } from "../helpers/sessions.ts";

let gw: TestGateway;
const open: Session[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s[Symbol.asyncDispose]();
  await gw?.stop();
});

async function session(body: Record<string, unknown>): Promise<Session> {
  const s = await openSession(gw, gw.wsUrl, body);
  open.push(s);
  return s;
}

describe("POST /api/v1/channels/{channel}/messages", () => {
  test("answers 202 with the channel and the timestamp subscribers see", async () => {
    gw = await startGateway();
    const bob = await session({ subject: "bob", channels: ["news:*"] });
    await bob.request({ type: "subscribe", channel: "news:a" });

    const res = await admin(gw.url, "POST", "/api/v1/channels/news:a/messages", { data: [1, 2] });
    expect(res.status).toBe(202);
    expect(res.body.channel).toBe("news:a");
    expect((await bob.next()).ts).toBe(res.body.ts);
  });

  test.each([
    ["a pattern", "/api/v1/channels/news:*/messages"],
    ["an encoded slash", "/api/v1/channels/news%2F..%2Fadmin/messages"],
    ["a space", "/api/v1/channels/news%20a/messages"],
    ["an over-long name", `/api/v1/channels/${"a".repeat(129)}/messages`],
  ])("refuses a channel with %s as a 400 problem", async (_what, path) => {
    gw = await startGateway();
    const res = await admin(gw.url, "POST", path, { data: 1 });
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/problem+json");
  });

  test.each([
    ["no data field", {}],
    ["an extra field", { data: 1, channel: "x" }],
  ])("refuses a body with %s", async (_what, body) => {
    gw = await startGateway();
    expect((await admin(gw.url, "POST", "/api/v1/channels/news:a/messages", body)).status).toBe(
      400,
    );
  });

  test("needs the API key", async () => {
    gw = await startGateway();
    const res = await admin(gw.url, "POST", "/api/v1/channels/news:a/messages", { data: 1 }, null);
    expect(res.status).toBe(401);
    expect(res.type).toBe("application/problem+json");
  });
});

describe("GET /api/v1/channels/{channel}/presence", () => {
  test("counts subscribed sessions per subject", async () => {
    gw = await startGateway();
    for (const subject of ["bob", "alice", "bob"]) {
      const s = await session({ subject, channels: ["room:*"] });
      await s.request({ type: "subscribe", channel: "room:1" });
    }
    await session({ subject: "carol", channels: ["room:*"] });

    const res = await admin(gw.url, "GET", "/api/v1/channels/room:1/presence");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      channel: "room:1",
      sessions: 3,
      subjects: [
        { subject: "alice", sessions: 1 },
        { subject: "bob", sessions: 2 },
      ],
      truncated: false,
    });
  });

  test("drops a session once it unsubscribes or leaves", async () => {
    gw = await startGateway();
    const a = await session({ subject: "alice", channels: ["room:*"] });
    await a.request({ type: "subscribe", channel: "room:1" });
    a.ws.close();
    await a.closed;
    expect((await admin(gw.url, "GET", "/api/v1/channels/room:1/presence")).body.sessions).toBe(0);
  });
});

describe("GET /api/v1/sessions", () => {
  test("pages through every live session in id order, filterable by subject", async () => {
    gw = await startGateway();
    const ids: string[] = [];
    for (const subject of ["a", "b", "a", "c", "a"]) {
      ids.push(String((await session({ subject, channels: ["x:*"] })).welcome.session));
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const res = await admin(gw.url, "GET", `/api/v1/sessions${query}`);
      expect(res.status).toBe(200);
      expect(res.body.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.sessions.map((s: { session: string }) => s.session));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());

    const onlyA = await admin(gw.url, "GET", "/api/v1/sessions?subject=a");
    expect(onlyA.body.sessions.map((s: { subject: string }) => s.subject)).toEqual(["a", "a", "a"]);
    expect(onlyA.body.next_cursor).toBeNull();
  });

  test("lists a session's subscriptions and expiry", async () => {
    gw = await startGateway();
    const s = await session({ subject: "alice", channels: ["x:*"] });
    await s.request({ type: "subscribe", channel: "x:1" });
    const [entry] = (await admin(gw.url, "GET", "/api/v1/sessions")).body.sessions;
    const { session: id, expires_at } = s.welcome;
    expect(entry).toMatchObject({ session: id, subject: "alice", channels: ["x:1"], expires_at });
  });

  test.each(["?limit=0", "?limit=5000", "?cursor=abc", "?subject="])(
    "refuses %s with a 400 problem",
    async (query) => {
      gw = await startGateway();
      expect((await admin(gw.url, "GET", `/api/v1/sessions${query}`)).status).toBe(400);
    },
  );
});

describe("revocation", () => {
  test("closes every session of the subject with 4001 and stops its unredeemed tickets", async () => {
    gw = await startGateway();
    const a1 = await session({ subject: "alice" });
    const a2 = await session({ subject: "alice" });
    const bob = await session({ subject: "bob" });
    const unused = await gw.mint({ subject: "alice" });

    const res = await admin(gw.url, "DELETE", "/api/v1/subjects/alice/sessions");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: "alice", sessions_closed: 2, tickets_revoked: 1 });
    expect(await a1.closed).toEqual({ code: 4001, reason: "revoked" });
    expect((await a2.closed).code).toBe(4001);
    expect((await rawRequest(gw.port, `/ws?ticket=${unused}`, upgradeHeaders())).status).toBe(401);
    expect(await bob.request({ type: "ping" })).toEqual({ type: "pong" });
  });

  test("a ticket minted after the revocation works", async () => {
    gw = await startGateway();
    await admin(gw.url, "DELETE", "/api/v1/subjects/alice/sessions");
    const s = await session({ subject: "alice" });
    expect(await s.request({ type: "ping" })).toEqual({ type: "pong" });
  });

  test("takes URL-encoded subjects", async () => {
    gw = await startGateway();
    const s = await session({ subject: "alice smith@example.com" });
    const res = await admin(
      gw.url,
      "DELETE",
      `/api/v1/subjects/${encodeURIComponent("alice smith@example.com")}/sessions`,
    );
    expect(res.body.sessions_closed).toBe(1);
    expect((await s.closed).code).toBe(4001);
  });

  test("closes one session by id with 4001, and answers 404 for an unknown one", async () => {
    gw = await startGateway();
    const a1 = await session({ subject: "alice" });
    const a2 = await session({ subject: "alice" });

    const res = await admin(gw.url, "DELETE", `/api/v1/sessions/${a1.welcome.session}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ session: a1.welcome.session, closed: true });
    expect((await a1.closed).code).toBe(4001);
    expect(await a2.request({ type: "ping" })).toEqual({ type: "pong" });
    const missing = await admin(gw.url, "DELETE", `/api/v1/sessions/s_${"0".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.type).toBe("application/problem+json");
  });
});

describe("GET /metrics", () => {
  test("needs the API key", async () => {
    gw = await startGateway();
    const res = await admin(gw.url, "GET", "/metrics", undefined, null);
    expect(res.status).toBe(401);
    expect(res.type).toBe("application/problem+json");
  });

  test("exposes the gateway's series with route templates and reasons, never subjects, tickets or URLs", async () => {
    gw = await startGateway();
    const ticket = await gw.mint({ subject: "secret-subject-xyz", channels: ["chat:*"] });
    const s = await openSession(gw, gw.wsUrl, {
      subject: "secret-subject-xyz",
      channels: ["chat:*"],
    });
    open.push(s);
    await s.request({ type: "subscribe", channel: "chat:hidden-channel" });
    await s.request({ type: "publish", channel: "chat:hidden-channel", data: 1 });
    await s.next();
    await rawRequest(gw.port, `/ws?ticket=tgt_${"A".repeat(43)}`, upgradeHeaders());
    await admin(gw.url, "POST", "/api/v1/channels/chat:hidden-channel/messages", { data: 1 });

    const res = await admin(gw.url, "GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.type).toStartWith("text/plain; version=0.0.4");
    const text = String(res.body);
    for (const series of [
      "ticketgate_tickets_minted_total 2",
      "ticketgate_tickets_redeemed_total 1",
      'ticketgate_upgrades_refused_total{reason="unknown"} 1',
      "ticketgate_sessions_live 1",
      "ticketgate_messages_in_total",
      "ticketgate_messages_out_total",
      "ticketgate_publish_fanout_count 2",
      "ticketgate_store_seconds_count",
      'route="/api/v1/channels/:channel/messages",status="202"',
    ])
      expect(text).toContain(series);
    for (const secret of ["secret-subject-xyz", "hidden-channel", "tgt_", ticket, "127.0.0.1"]) {
      expect(text).not.toContain(secret);
    }
  });
});
