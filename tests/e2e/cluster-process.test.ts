/** Two real ticketgate processes on one Redis: the entry point wires the Redis hub. */
import { afterEach, expect, test } from "bun:test";
import { startProcess, type ServerProcess } from "../helpers/process.ts";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-env.ts";
import { openSocket } from "../helpers/ws-client.ts";

const KEY = "cluster-test-key-0123456789";

const api = (server: ServerProcess, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${KEY}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });

async function ticketFrom(server: ServerProcess, subject: string) {
  const res = await api(server, "/api/v1/tickets", {
    method: "POST",
    body: JSON.stringify({ subject, channels: ["room:*"] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { ticket: string }).ticket;
}

describeWithRedis("two processes with --store redis", (url) => {
  const running: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
  });

  test("a push to node A reaches a subscriber on node B, and revocation on B closes a session on A", async () => {
    const env = {
      TICKETGATE_STORE: "redis",
      TICKETGATE_REDIS_URL: url,
      TICKETGATE_REDIS_PREFIX: uniquePrefix().slice(0, 60),
    };
    const a = await startProcess(["--api-keys", KEY], env);
    running.push(a);
    const b = await startProcess(["--api-keys", KEY], env);
    running.push(b);

    await using onB = openSocket(
      `ws://127.0.0.1:${b.port}/ws?ticket=${await ticketFrom(a, "bob")}`,
    );
    expect((await onB.next()).type).toBe("welcome");
    onB.send({ type: "subscribe", channel: "room:1", id: 1 });
    expect(await onB.next()).toMatchObject({ type: "subscribed", channel: "room:1", id: 1 });

    expect(
      (
        await api(a, "/api/v1/channels/room:1/messages", {
          method: "POST",
          body: '{"data":{"n":1}}',
        })
      ).status,
    ).toBe(202);
    expect(await onB.next(5000)).toMatchObject({
      type: "message",
      channel: "room:1",
      data: { n: 1 },
      from: "server",
    });

    const onA = openSocket(`ws://127.0.0.1:${a.port}/ws?ticket=${await ticketFrom(b, "carol")}`);
    expect((await onA.next()).type).toBe("welcome");
    expect(
      (await api(b, "/api/v1/subjects/carol/sessions", { method: "DELETE" })).status,
    ).toBeLessThan(300);
    expect((await onA.closed).code).toBe(4001);
  }, 30_000);
});
