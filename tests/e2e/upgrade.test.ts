/** The upgrade path end to end: real server on port 0, real WebSocket clients, raw HTTP for refusals. */
import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/tickets/clock.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { rawRequest, upgradeHeaders } from "../helpers/raw-http.ts";
import { openSocket } from "../helpers/ws-client.ts";

let gw: TestGateway;
afterEach(async () => {
  await gw?.stop();
});

describe("a valid ticket", () => {
  test("opens a session by query and the first frame is welcome", async () => {
    gw = await startGateway();
    const ticket = await gw.mint({
      subject: "alice",
      channels: ["chat:*"],
      metadata: { plan: "pro" },
    });
    await using s = openSocket(`${gw.wsUrl}?ticket=${ticket}`);

    const welcome = await s.next();
    expect(welcome).toMatchObject({
      type: "welcome",
      subject: "alice",
      channels: ["chat:*"],
      metadata: { plan: "pro" },
    });
    expect(welcome.session).toMatch(/^s_[0-9a-f]{32}$/);
  });

  test("opens a session by sub-protocol, answered with ticketgate.v1 and never the ticket", async () => {
    gw = await startGateway();
    const ticket = await gw.mint();
    await using s = openSocket(gw.wsUrl, ["ticketgate.v1", ticket]);

    expect((await s.next()).type).toBe("welcome");
    expect(s.ws.protocol).toBe("ticketgate.v1");
  });

  test("the 101 answer names only ticketgate.v1 even when the ticket is offered first", async () => {
    gw = await startGateway();
    const ticket = await gw.mint();
    const res = await rawRequest(
      gw.port,
      "/ws",
      upgradeHeaders({ "Sec-WebSocket-Protocol": `${ticket}, ticketgate.v1` }),
    );

    expect(res.status).toBe(101);
    expect(res.headers["sec-websocket-protocol"]).toBe("ticketgate.v1");
  });

  test("a session answers ping with pong, echoing the id", async () => {
    gw = await startGateway();
    await using s = openSocket(`${gw.wsUrl}?ticket=${await gw.mint()}`);
    await s.next();

    s.send({ type: "ping", id: 7 });
    expect(await s.next()).toEqual({ type: "pong", id: 7 });
  });

  test.each([
    ["not JSON", "hello", "bad_json"],
    ["a JSON array", "[1,2]", "bad_frame"],
    ["an object without type", '{"id":1}', "bad_frame"],
    ["an unknown type", '{"type":"teleport","id":"a"}', "unknown_type"],
  ])("a frame that is %s gets an error and the session stays up", async (_name, frame, code) => {
    gw = await startGateway();
    await using s = openSocket(`${gw.wsUrl}?ticket=${await gw.mint()}`);
    await s.next();

    s.send(frame);
    const error = await s.next();
    expect(error).toMatchObject({ type: "error", code });
    expect(typeof error.message).toBe("string");

    s.send({ type: "ping" });
    expect(await s.next()).toEqual({ type: "pong" });
  });

  test("a binary frame closes the session with 1003", async () => {
    gw = await startGateway();
    const s = openSocket(`${gw.wsUrl}?ticket=${await gw.mint()}`);
    await s.next();

    s.ws.send(new Uint8Array([1, 2, 3]));
    expect((await s.closed).code).toBe(1003);
  });
});

describe("ticket refusals answer 401 with one generic detail", () => {
  const refusedWith = async (path: string, extra: Record<string, string> = {}) => {
    const res = await rawRequest(gw.port, path, upgradeHeaders(extra));
    expect(res.status).toBe(401);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(res.body).detail).toBe(
      "The ticket is missing, invalid, expired or already used.",
    );
    expect(res.body).not.toContain("tgt_");
    return res;
  };
  const reasonLogged = (reason: string) =>
    gw.logs.some(
      (l) => l.includes('"event":"ticket.refused"') && l.includes(`"reason":"${reason}"`),
    );

  test("refuses a ticket used twice", async () => {
    gw = await startGateway();
    const ticket = await gw.mint();
    expect((await rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders())).status).toBe(101);

    await refusedWith(`/ws?ticket=${ticket}`);
    expect(reasonLogged("used")).toBe(true);
  });

  test("refuses an expired ticket", async () => {
    const clock = new ManualClock();
    gw = await startGateway({ clock });
    const ticket = await gw.mint({ subject: "alice", ttl_seconds: 1 });
    clock.advance(1001);

    await refusedWith(`/ws?ticket=${ticket}`);
    expect(reasonLogged("expired")).toBe(true);
  });

  test.each([
    ["no ticket", "/ws", {}, "missing"],
    ["an empty ticket", "/ws?ticket=", {}, "malformed"],
    ["a malformed ticket", "/ws?ticket=abc", {}, "malformed"],
    ["an unknown ticket", `/ws?ticket=tgt_${"A".repeat(43)}`, {}, "unknown"],
    ["a ticket one character short", `/ws?ticket=tgt_${"A".repeat(42)}`, {}, "malformed"],
    [
      "a ticket in a sub-protocol without ticketgate.v1",
      "/ws",
      { "Sec-WebSocket-Protocol": `tgt_${"A".repeat(43)}` },
      "protocol_missing",
    ],
  ])("refuses %s", async (_name, path, extra, reason) => {
    gw = await startGateway();
    await refusedWith(path, extra);
    expect(reasonLogged(reason)).toBe(true);
  });

  test("refuses a ticket parameter given twice, and consumes neither", async () => {
    gw = await startGateway();
    const a = await gw.mint();
    const b = await gw.mint();

    await refusedWith(`/ws?ticket=${a}&ticket=${b}`);
    expect(reasonLogged("duplicate")).toBe(true);
    expect((await rawRequest(gw.port, `/ws?ticket=${a}`, upgradeHeaders())).status).toBe(101);
  });

  test("refuses a ticket given both in the query and as a sub-protocol", async () => {
    gw = await startGateway();
    const a = await gw.mint();
    const b = await gw.mint();

    await refusedWith(`/ws?ticket=${a}`, { "Sec-WebSocket-Protocol": `ticketgate.v1, ${b}` });
    expect(reasonLogged("both_places")).toBe(true);
  });

  test("refuses two tickets in the sub-protocol list", async () => {
    gw = await startGateway();
    const [a, b] = [await gw.mint(), await gw.mint()];
    await refusedWith("/ws", { "Sec-WebSocket-Protocol": `ticketgate.v1, ${a}, ${b}` });
    expect(reasonLogged("duplicate")).toBe(true);
  });

  test("closes the connection after a refused upgrade", async () => {
    gw = await startGateway();
    const res = await refusedWith("/ws?ticket=abc");
    expect(res.headers.connection).toBe("close");
    expect(res.closed).toBe(true);
  });
});

describe("single use under concurrency", () => {
  test("fifty parallel upgrades with one ticket yield exactly one session", async () => {
    gw = await startGateway();
    const ticket = await gw.mint();

    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders()),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 101)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(49);
  });
});

describe("handshake checks before the ticket", () => {
  test("a plain GET /ws answers 426 and leaves the ticket unused", async () => {
    gw = await startGateway();
    const ticket = await gw.mint();
    const res = await fetch(`${gw.url}/ws?ticket=${ticket}`);

    expect(res.status).toBe(426);
    expect(res.headers.get("upgrade")).toBe("websocket");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders())).status).toBe(101);
  });

  test.each([
    ["a WebSocket version other than 13", { "Sec-WebSocket-Version": "8" }, 426],
    ["a Sec-WebSocket-Key that is not 16 bytes", { "Sec-WebSocket-Key": "c2hvcnQ=" }, 400],
  ])("refuses %s without consuming the ticket", async (_name, extra, status) => {
    gw = await startGateway();
    const ticket = await gw.mint();
    expect((await rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders(extra))).status).toBe(
      status,
    );
    expect((await rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders())).status).toBe(101);
  });
});

describe("Origin allow-list", () => {
  const origins = ["https://app.example.com", "https://*.example.org"];

  test.each([
    ["an allowed origin gets 101", "https://app.example.com", 101],
    ["an allowed subdomain gets 101", "https://eu.example.org", 101],
    ["the bare domain of a wildcard gets 403", "https://example.org", 403],
    ["another origin gets 403", "https://evil.example.net", 403],
    ["a look-alike suffix gets 403", "https://app.example.com.evil.net", 403],
    ["another scheme gets 403", "http://app.example.com", 403],
  ])("%s", async (_name, origin, status) => {
    gw = await startGateway({ config: { allowedOrigins: origins } });
    const ticket = await gw.mint();
    const res = await rawRequest(
      gw.port,
      `/ws?ticket=${ticket}`,
      upgradeHeaders({ Origin: origin }),
    );

    expect(res.status).toBe(status);
    if (status === 403) expect(res.headers["content-type"]).toBe("application/problem+json");
  });

  test("a refused origin does not consume the ticket", async () => {
    gw = await startGateway({ config: { allowedOrigins: origins } });
    const ticket = await gw.mint();
    await rawRequest(
      gw.port,
      `/ws?ticket=${ticket}`,
      upgradeHeaders({ Origin: "https://evil.example.net" }),
    );
    expect((await rawRequest(gw.port, `/ws?ticket=${ticket}`, upgradeHeaders())).status).toBe(101);
  });
});
