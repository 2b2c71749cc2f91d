/** POST /api/v1/tickets over real HTTP: the answer, and every refusal as problem+json. */
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
afterEach(async () => {
  await gw?.stop();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/api/v1/tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", ...headers },
    body,
  });

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as {
    status: number;
    title: string;
    detail: string;
    errors?: { field: string }[];
  };
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  return body;
}

describe("minting", () => {
  test("answers 201 with a tgt_ ticket, expiry and no-store", async () => {
    gw = await startGateway();
    const before = Date.now();
    const res = await post(
      JSON.stringify({
        subject: "alice",
        channels: ["chat:*"],
        metadata: { a: 1 },
        ttl_seconds: 20,
      }),
    );

    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { ticket: string; expires_at: string; expires_in: number };
    expect(body.ticket).toMatch(/^tgt_[A-Za-z0-9_-]{43}$/);
    expect(body.expires_in).toBe(20);
    expect(body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const expiresAt = Date.parse(body.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 20_000);
    expect(expiresAt).toBeLessThan(Date.now() + 21_000);
  });

  test("uses the configured default lifetime when none is asked", async () => {
    gw = await startGateway({ config: { ticketTtl: 45 } });
    const body = (await (await post('{"subject":"bob"}')).json()) as { expires_in: number };
    expect(body.expires_in).toBe(45);
  });

  test("accepts a charset on the JSON content type", async () => {
    gw = await startGateway();
    expect(
      (await post('{"subject":"bob"}', { "content-type": "application/json; charset=utf-8" }))
        .status,
    ).toBe(201);
  });

  test("every ticket is different", async () => {
    gw = await startGateway();
    const tickets = new Set(await Promise.all(Array.from({ length: 20 }, () => gw.mint())));
    expect(tickets.size).toBe(20);
  });

  test("a full store answers 503 with Retry-After", async () => {
    gw = await startGateway({ maxTickets: 2 });
    await gw.mint();
    await gw.mint();
    const res = await post('{"subject":"alice"}');
    await expectProblem(res, 503);
    expect(res.headers.get("retry-after")).toBe("1");
  });
});

describe("credentials", () => {
  test.each([
    ["no Authorization header", undefined],
    ["an unknown key", `Bearer ${"x".repeat(32)}`],
    ["the key with one character changed", `Bearer ${API_KEY.slice(0, -1)}g`],
    ["a Basic scheme", `Basic ${btoa("a:b")}`],
    ["Bearer without a key", "Bearer "],
    ["a key with a space inside", `Bearer ${API_KEY} x`],
  ])("%s gets 401 with WWW-Authenticate", async (_name, authorization) => {
    gw = await startGateway();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (authorization !== undefined) headers.authorization = authorization;
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: "POST",
      headers,
      body: '{"subject":"a"}',
    });

    const body = await expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
    expect(JSON.stringify(body)).not.toContain(API_KEY);
  });

  test("a key configured as a sha256 digest works", async () => {
    const digest = new Bun.CryptoHasher("sha256").update(API_KEY).digest("hex");
    gw = await startGateway({ keys: [`sha256:${digest}`] });
    expect((await post('{"subject":"alice"}')).status).toBe(201);
  });

  test("authentication is checked before the body", async () => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    await expectProblem(res, 401);
  });
});

describe("bad bodies", () => {
  test.each([
    ["not JSON", "{nope", undefined],
    ["JSON but not an object", "[1]", "/"],
    ["an empty object", "{}", "/subject"],
    ["an empty subject", '{"subject":""}', "/subject"],
    ["a subject of 257 characters", JSON.stringify({ subject: "a".repeat(257) }), "/subject"],
    ["a subject with a control character", JSON.stringify({ subject: "al\u0007ice" }), "/subject"],
    ["a subject with a newline", JSON.stringify({ subject: "al\nice" }), "/subject"],
    ["a subject of white space only", JSON.stringify({ subject: "   " }), "/subject"],
    ["a subject with a line separator", JSON.stringify({ subject: "al\u2028ice" }), "/subject"],
    ["a number subject", '{"subject":5}', "/subject"],
    ["an unknown field", '{"subject":"a","admin":true}', "/admin"],
    ["a zero ttl", '{"subject":"a","ttl_seconds":0}', "/ttl_seconds"],
    ["a fractional ttl", '{"subject":"a","ttl_seconds":1.5}', "/ttl_seconds"],
    ["a ttl over the maximum", '{"subject":"a","ttl_seconds":301}', "/ttl_seconds"],
    ["metadata that is an array", '{"subject":"a","metadata":[1]}', "/metadata"],
    [
      "metadata over 4 KiB",
      JSON.stringify({ subject: "a", metadata: { x: "y".repeat(4100) } }),
      "/metadata",
    ],
    ["channels that are not a list", '{"subject":"a","channels":"chat:*"}', "/channels"],
    ["a channel with a space", '{"subject":"a","channels":["chat room"]}', "/channels/0"],
    ["a wildcard in the middle", '{"subject":"a","channels":["chat:*:x"]}', "/channels/0"],
    [
      "a {subject} that expands to bad characters",
      '{"subject":"a b","channels":["user:{subject}"]}',
      "/channels/0",
    ],
  ])("%s gets 400 naming the field", async (_name, body, field) => {
    gw = await startGateway();
    const problem = await expectProblem(await post(body), 400);
    if (field !== undefined) {
      const fields = (problem.errors ?? []).map((e) => e.field);
      expect(fields.some((f) => f === field || f.startsWith(field))).toBe(true);
    }
  });

  test("a declared body over 16 KiB gets 413", async () => {
    gw = await startGateway();
    await expectProblem(
      await post(JSON.stringify({ subject: "a", metadata: { x: "y".repeat(17_000) } })),
      413,
    );
  });

  test("a channel entry of the wrong shape is explained, not just named", async () => {
    gw = await startGateway();
    const problem = await expectProblem(await post('{"subject":"a","channels":[5]}'), 400);
    expect(problem.detail).toContain("pattern string");
  });

  test("a declared body over Bun's own ceiling still gets a 413 problem, even without a key", async () => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: " ".repeat(2 * 1024 * 1024),
    });
    await expectProblem(res, 413);
  });

  test("a chunked body over 16 KiB gets 413", async () => {
    gw = await startGateway();
    const chunk = new TextEncoder().encode(" ".repeat(4096));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: stream,
    });
    await expectProblem(res, 413);
  });

  test.each([["text/plain"], ["application/x-www-form-urlencoded"], ["application/jsonp"]])(
    "content type %s gets 415",
    async (type) => {
      gw = await startGateway();
      await expectProblem(await post('{"subject":"a"}', { "content-type": type }), 415);
    },
  );

  test("a missing content type gets 415", async () => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}/api/v1/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}` },
      body: new Blob(['{"subject":"a"}']),
    });
    await expectProblem(res, 415);
  });

  test("a body cut short by the client does not hang the server or leak a 500", async () => {
    gw = await startGateway();
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(gw.port, "127.0.0.1");
      let data = "";
      socket.on("data", (c) => (data += c.toString()));
      socket.on("close", () => resolve(data));
      socket.write(
        `POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_KEY}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"subject"',
      );
      socket.end();
      setTimeout(() => socket.destroy(), 2000);
    });
    expect(raw).not.toContain(" 500 ");
    expect((await post('{"subject":"a"}')).status).toBe(201);
  });
});

describe("other routes", () => {
  test("an unknown route answers a 404 problem", async () => {
    gw = await startGateway();
    await expectProblem(await fetch(`${gw.url}/nope`), 404);
  });

  test("GET /healthz answers ok", async () => {
    gw = await startGateway();
    expect(await (await fetch(`${gw.url}/healthz`)).json()).toEqual({ status: "ok" });
  });

  test("GET /readyz reports the store as ready", async () => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", store: "memory" });
  });
});
