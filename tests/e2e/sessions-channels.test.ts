/** Channel traffic on one node with real clients: delivery, order, permissions, replies. */
import { afterEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { openSession, type Frame, type Session } from "../helpers/sessions.ts";

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

describe("delivery", () => {
  test("a publish reaches every subscriber with the publisher as from, and the publisher gets published", async () => {
    gw = await startGateway();
    const alice = await session({ subject: "alice", channels: ["chat:*"] });
    const bob = await session({ subject: "bob", channels: ["chat:*"] });
    const subscribed = await bob.request({ type: "subscribe", channel: "chat:lobby", id: 1 });
    expect(subscribed).toEqual({ type: "subscribed", channel: "chat:lobby", id: 1 });

    expect(
      await alice.request({
        type: "publish",
        channel: "chat:lobby",
        data: { text: "hi" },
        id: "p1",
      }),
    ).toEqual({
      type: "published",
      channel: "chat:lobby",
      id: "p1",
    });
    const message = await bob.next();
    expect(message).toMatchObject({ type: "message", channel: "chat:lobby", data: { text: "hi" } });
    expect(message.from).toEqual({ subject: "alice", session: alice.welcome.session });
    expect(new Date(String(message.ts)).toISOString()).toBe(String(message.ts));
  });

  test("one publisher's messages arrive in the order they were sent", async () => {
    gw = await startGateway({ config: { messageRate: 1000 } });
    const alice = await session({ subject: "alice", channels: ["chat:*"] });
    const bob = await session({ subject: "bob", channels: ["chat:*"] });
    await bob.request({ type: "subscribe", channel: "chat:order" });

    const count = 200;
    for (let n = 0; n < count; n++) alice.send({ type: "publish", channel: "chat:order", data: n });
    const seen: unknown[] = [];
    for (let n = 0; n < count; n++) seen.push((await bob.next()).data);
    expect(seen).toEqual(Array.from({ length: count }, (_, n) => n));
  });

  test("a subscribed publisher receives its own message before its published reply", async () => {
    gw = await startGateway();
    const alice = await session({ subject: "alice", channels: ["chat:*"] });
    await alice.request({ type: "subscribe", channel: "chat:me" });
    alice.send({ type: "publish", channel: "chat:me", data: 1, id: 9 });
    expect((await alice.next()).type).toBe("message");
    expect(await alice.next()).toEqual({ type: "published", channel: "chat:me", id: 9 });
  });

  test("after unsubscribe no more messages arrive", async () => {
    gw = await startGateway();
    const alice = await session({ subject: "alice", channels: ["chat:*"] });
    const bob = await session({ subject: "bob", channels: ["chat:*"] });
    await bob.request({ type: "subscribe", channel: "chat:a" });
    const unsubscribed = await bob.request({ type: "unsubscribe", channel: "chat:a", id: 2 });
    expect(unsubscribed).toEqual({ type: "unsubscribed", channel: "chat:a", id: 2 });

    await alice.request({ type: "publish", channel: "chat:a", data: "lost" });
    expect(await bob.request({ type: "ping", id: "after" })).toEqual({ type: "pong", id: "after" });
  });

  test("a server push reaches subscribers with from server", async () => {
    gw = await startGateway();
    const bob = await session({ subject: "bob", channels: ["news:*"] });
    await bob.request({ type: "subscribe", channel: "news:today" });

    const res = await fetch(`${gw.url}/api/v1/channels/news:today/messages`, {
      method: "POST",
      headers: {
        authorization: "Bearer test-key-0123456789abcdef",
        "content-type": "application/json",
      },
      body: JSON.stringify({ data: { headline: "ok" } }),
    });
    expect(res.status).toBe(202);
    const message = await bob.next();
    expect(message).toMatchObject({
      type: "message",
      channel: "news:today",
      data: { headline: "ok" },
      from: "server",
    });
  });
});

describe("exactly one reply per request", () => {
  test("every request with an id gets one reply carrying that id, errors included", async () => {
    gw = await startGateway();
    const alice = await session({
      subject: "alice",
      channels: ["chat:*", { pattern: "news:*", publish: false }],
    });
    const requests: Frame[] = [
      { type: "ping", id: 1 },
      { type: "subscribe", channel: "chat:x", id: 2 },
      { type: "subscribe", channel: "admin", id: 3 },
      { type: "publish", channel: "news:today", data: 1, id: 4 },
      { type: "unsubscribe", channel: "chat:never", id: 5 },
      { type: "publish", channel: "chat:y", id: 6 },
      { type: "teleport", id: 7 },
      { type: "reauth", ticket: "tgt_nope", id: 8 },
      { type: "unsubscribe", channel: "chat:x", id: 9 },
    ];
    for (const r of requests) alice.send(r);
    const replies: Frame[] = [];
    for (let i = 0; i < requests.length; i++) replies.push(await alice.next());
    expect(await alice.request({ type: "ping", id: "end" })).toEqual({ type: "pong", id: "end" });

    expect(replies.map((r) => r.id).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(byId.get(3)).toMatchObject({ type: "error", code: "forbidden" });
    expect(byId.get(4)).toMatchObject({ type: "error", code: "forbidden" });
    expect(byId.get(5)).toMatchObject({ type: "error", code: "not_subscribed" });
    expect(byId.get(6)).toMatchObject({ type: "error", code: "bad_frame" });
    expect(byId.get(7)).toMatchObject({ type: "error", code: "unknown_type" });
    expect(byId.get(8)).toMatchObject({ type: "error", code: "reauth_failed" });
  });
});

describe("permissions come only from the ticket", () => {
  test("subscribing outside the grants is forbidden and the session stays up", async () => {
    gw = await startGateway();
    const alice = await session({ subject: "alice", channels: ["chat:*"] });
    expect(
      await alice.request({ type: "subscribe", channel: "admin:logs", id: "s" }),
    ).toMatchObject({
      type: "error",
      code: "forbidden",
      id: "s",
    });
    expect(await alice.request({ type: "ping" })).toEqual({ type: "pong" });
  });

  test("publishing outside the grants is forbidden and reaches nobody", async () => {
    gw = await startGateway();
    const alice = await session({ subject: "alice", channels: ["chat:*"] });
    const spy = await session({ subject: "root", channels: ["*"] });
    await spy.request({ type: "subscribe", channel: "admin:logs" });

    expect(
      await alice.request({ type: "publish", channel: "admin:logs", data: "x" }),
    ).toMatchObject({ code: "forbidden" });
    expect(await spy.request({ type: "ping", id: "quiet" })).toEqual({ type: "pong", id: "quiet" });
  });

  test("a subscribe-only grant allows reading but refuses publishing", async () => {
    gw = await startGateway();
    const alice = await session({
      subject: "alice",
      channels: [{ pattern: "news:*", publish: false }],
    });
    expect(alice.welcome.channels).toEqual([{ pattern: "news:*", publish: false }]);
    expect((await alice.request({ type: "subscribe", channel: "news:today" })).type).toBe(
      "subscribed",
    );
    expect(await alice.request({ type: "publish", channel: "news:today", data: 1 })).toMatchObject({
      code: "forbidden",
    });
  });

  test("{subject} grants a user their own channel and not another user's", async () => {
    gw = await startGateway();
    const alice = await session({
      subject: "alice",
      channels: ["user:{subject}", "user:{subject}:*"],
    });
    expect(alice.welcome.channels).toEqual(["user:alice", "user:alice:*"]);
    expect((await alice.request({ type: "subscribe", channel: "user:alice:inbox" })).type).toBe(
      "subscribed",
    );
    expect(await alice.request({ type: "subscribe", channel: "user:bob" })).toMatchObject({
      code: "forbidden",
    });
  });

  test.each([
    ["the bare prefix", "chat:"],
    ["the prefix without its separator", "chat"],
    ["a longer word", "chatroom"],
    ["another case", "CHAT:lobby"],
    ["a pattern of its own", "chat:*"],
    ["a path traversal", "chat:../admin"],
    ["a percent-encoded separator", "chat%3Alobby"],
    ["a trailing newline", "chat:lobby\n"],
    ["a fullwidth colon", "chat\uff1alobby"],
    ["a NUL byte", "chat:lobby\u0000admin"],
    ["a non-string channel", ["chat:lobby"]],
  ])("a channel name with %s cannot escape chat:*", async (_what, channel) => {
    gw = await startGateway();
    const alice = await session({ subject: "alice", channels: ["chat:*"] });
    const reply = await alice.request({ type: "subscribe", channel, id: 1 });
    expect(reply).toMatchObject({ type: "error", id: 1 });
    expect(["forbidden", "bad_frame"]).toContain(reply.code as string);
  });

  test("a subject that would widen its {subject} grant is refused at mint", async () => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: "POST",
      headers: {
        authorization: "Bearer test-key-0123456789abcdef",
        "content-type": "application/json",
      },
      body: JSON.stringify({ subject: "bob*", channels: ["user:{subject}"] }),
    });
    expect(res.status).toBe(400);
  });
});
