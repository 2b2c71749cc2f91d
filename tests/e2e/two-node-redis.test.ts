/** Two gateways sharing one Redis: publish, push, presence, listing and revocation span both. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { admin, eventually, openSession, type Session } from "../helpers/sessions.ts";
import { redisTestUrl, startNode, testPrefix, type Node } from "../helpers/two-nodes.ts";

const url = redisTestUrl("the two-node tests");

describe.skipIf(!url)("two nodes sharing Redis", () => {
  let prefix: string;
  let a: Node;
  let b: Node;
  const open: Session[] = [];

  beforeEach(async () => {
    prefix = testPrefix();
    a = await startNode(url!, prefix);
    b = await startNode(url!, prefix);
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s[Symbol.asyncDispose]();
    await a?.gw.stop();
    await b?.gw.stop();
  });

  async function on(node: Node, body: Record<string, unknown>): Promise<Session> {
    const s = await openSession(node.gw, node.gw.wsUrl, body);
    open.push(s);
    return s;
  }

  test("a session's messages on one node reach a subscriber on the other, in order", async () => {
    const alice = await on(a, { subject: "alice", channels: ["chat:*"] });
    const bob = await on(b, { subject: "bob", channels: ["chat:*"] });
    await bob.request({ type: "subscribe", channel: "chat:lobby" });

    const count = 100;
    for (let n = 0; n < count; n++) alice.send({ type: "publish", channel: "chat:lobby", data: n });
    const seen: unknown[] = [];
    for (let n = 0; n < count; n++) {
      const message = await bob.next();
      expect(message.from).toEqual({ subject: "alice", session: alice.welcome.session });
      seen.push(message.data);
    }
    expect(seen).toEqual(Array.from({ length: count }, (_, n) => n));
  });

  test("a server push on either node reaches subscribers on both, each message once", async () => {
    const onA = await on(a, { subject: "x", channels: ["news:*"] });
    const onB = await on(b, { subject: "y", channels: ["news:*"] });
    for (const s of [onA, onB]) await s.request({ type: "subscribe", channel: "news:today" });

    for (const [node, n] of [
      [a, 1],
      [b, 2],
    ] as const) {
      expect(
        (await admin(node.gw.url, "POST", "/api/v1/channels/news:today/messages", { data: n }))
          .status,
      ).toBe(202);
    }
    for (const s of [onA, onB]) {
      expect(await s.next()).toMatchObject({ type: "message", data: 1, from: "server" });
      expect(await s.next()).toMatchObject({ type: "message", data: 2, from: "server" });
      expect(await s.request({ type: "ping", id: "no more" })).toEqual({
        type: "pong",
        id: "no more",
      });
    }
  });

  test("presence is the same seen from either node", async () => {
    for (const [node, subject] of [
      [a, "alice"],
      [a, "bob"],
      [b, "bob"],
      [b, "carol"],
    ] as const) {
      const s = await on(node, { subject, channels: ["room:*"] });
      await s.request({ type: "subscribe", channel: "room:1" });
    }
    const expected = {
      channel: "room:1",
      sessions: 4,
      subjects: [
        { subject: "alice", sessions: 1 },
        { subject: "bob", sessions: 2 },
        { subject: "carol", sessions: 1 },
      ],
      truncated: false,
    };
    expect((await admin(a.gw.url, "GET", "/api/v1/channels/room:1/presence")).body).toEqual(
      expected,
    );
    expect((await admin(b.gw.url, "GET", "/api/v1/channels/room:1/presence")).body).toEqual(
      expected,
    );
  });

  test("revoking a subject closes its sessions on both nodes with 4001 and stops its unredeemed tickets", async () => {
    const onA = await on(a, { subject: "alice" });
    const onB = await on(b, { subject: "alice" });
    const other = await on(b, { subject: "bob" });
    const unused = await b.gw.mint({ subject: "alice" });

    const res = await admin(a.gw.url, "DELETE", "/api/v1/subjects/alice/sessions");
    expect(res.body).toEqual({ subject: "alice", sessions_closed: 2, tickets_revoked: 1 });
    expect(await onA.closed).toEqual({ code: 4001, reason: "revoked" });
    expect(await onB.closed).toEqual({ code: 4001, reason: "revoked" });
    for (const node of [a, b]) {
      expect(
        (await rawRequest(node.gw.port, `/ws?ticket=${unused}`, upgradeHeaders())).status,
      ).toBe(401);
    }
    expect(await other.request({ type: "ping" })).toEqual({ type: "pong" });
  });

  test("one session is revoked from the node that does not hold it", async () => {
    const s = await on(b, { subject: "alice" });
    const res = await admin(a.gw.url, "DELETE", `/api/v1/sessions/${s.welcome.session}`);
    expect(res.status).toBe(200);
    expect((await s.closed).code).toBe(4001);
    expect((await admin(a.gw.url, "DELETE", `/api/v1/sessions/s_${"f".repeat(32)}`)).status).toBe(
      404,
    );
  });

  test("the session list pages through both nodes", async () => {
    const ids: string[] = [];
    for (const node of [a, b, a, b, a])
      ids.push(String((await on(node, { subject: "s" })).welcome.session));

    const seen: { session: string; node: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(
        b.gw.url,
        "GET",
        `/api/v1/sessions?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...res.body.sessions);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen.map((s) => s.session)).toEqual([...ids].sort());
    expect(new Set(seen.map((s) => s.node))).toEqual(new Set([a.hub.node, b.hub.node]));
  });

  test("a listed node that never answers delays a query by the deadline only", async () => {
    const client = new RedisClient(url!);
    try {
      await client.send("ZADD", [
        `${prefix}nodes`,
        String(Date.now() + 60_000),
        "n_00000000deadbeef",
      ]);
      const s = await on(b, { subject: "bob", channels: ["room:*"] });
      await s.request({ type: "subscribe", channel: "room:2" });
      const res = await admin(a.gw.url, "GET", "/api/v1/channels/room:2/presence");
      expect(res.body).toMatchObject({ sessions: 1, subjects: [{ subject: "bob", sessions: 1 }] });
    } finally {
      client.close();
    }
  });
});

describe.skipIf(!url)("node membership", () => {
  test("a node whose heartbeat stopped is dropped from the node set", async () => {
    const prefix = testPrefix();
    const node = await startNode(url!, prefix, { hub: { heartbeatMs: 100, nodeTtlMs: 300 } });
    const client = new RedisClient(url!);
    try {
      await client.send("ZADD", [`${prefix}nodes`, String(Date.now()), "n_0000000000dead00"]);
      const score = () => client.send("ZSCORE", [`${prefix}nodes`, "n_0000000000dead00"]);
      await eventually(async () => (await score()) === null, 3000, "dead node pruned");
      expect(await client.send("ZSCORE", [`${prefix}nodes`, node.hub.node])).not.toBeNull();
    } finally {
      client.close();
      await node.gw.stop();
    }
  });
});
