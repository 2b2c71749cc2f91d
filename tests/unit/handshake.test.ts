/** Pure checks of the upgrade request: ticket placement, Origin matching, RFC 6455 shape. */
import { describe, expect, test } from "bun:test";
import { checkUpgradeHeaders, findTicket, isOriginAllowed } from "../../src/realtime/handshake.ts";

const T1 = `tgt_${"a".repeat(43)}`;
const T2 = `tgt_${"b".repeat(43)}`;

describe("findTicket", () => {
  test.each([
    [
      "a query ticket",
      `/ws?ticket=${T1}`,
      null,
      { ticket: T1, viaProtocol: false, protocolOffered: false },
    ],
    [
      "a query ticket beside the protocol name",
      `/ws?ticket=${T1}`,
      "ticketgate.v1",
      { ticket: T1, viaProtocol: false, protocolOffered: true },
    ],
    [
      "a protocol ticket",
      "/ws",
      `ticketgate.v1, ${T1}`,
      { ticket: T1, viaProtocol: true, protocolOffered: true },
    ],
    [
      "a protocol ticket offered first",
      "/ws",
      `${T1},ticketgate.v1`,
      { ticket: T1, viaProtocol: true, protocolOffered: true },
    ],
    ["nothing", "/ws", null, "missing"],
    ["only the protocol name", "/ws", "ticketgate.v1", "missing"],
    ["two query tickets", `/ws?ticket=${T1}&ticket=${T2}`, null, "duplicate"],
    ["the same query ticket twice", `/ws?ticket=${T1}&ticket=${T1}`, null, "duplicate"],
    ["two protocol tickets", "/ws", `ticketgate.v1, ${T1}, ${T2}`, "duplicate"],
    ["one in each place", `/ws?ticket=${T1}`, `ticketgate.v1, ${T2}`, "both_places"],
    ["a protocol ticket without the protocol name", "/ws", T1, "protocol_missing"],
  ])("%s", (_name, url, protocols, expected) => {
    expect(findTicket(`http://localhost${url}`, protocols)).toEqual(expected as never);
  });

  test("an empty ticket parameter is offered as an empty ticket, to be refused as malformed", () => {
    expect(findTicket("http://localhost/ws?ticket=", null)).toMatchObject({ ticket: "" });
  });
});

describe("isOriginAllowed", () => {
  const allowed = ["https://app.example.com", "https://*.example.org", "http://localhost:5173"];

  test.each([
    ["https://app.example.com", true],
    ["HTTPS://APP.EXAMPLE.COM", true],
    ["https://a.b.example.org", true],
    ["http://localhost:5173", true],
    ["http://localhost:5174", false],
    ["https://example.org", false],
    ["https://evilexample.org", false],
    ["https://app.example.com.evil.net", false],
    ["https://x.example.org:8443", false],
    ["https://x/.example.org", false],
    ["null", false],
  ])("%s → %p", (origin, ok) => {
    expect(isOriginAllowed(origin, allowed)).toBe(ok);
  });

  test("no allow-list admits any origin", () => {
    expect(isOriginAllowed("https://anything.example", undefined)).toBe(true);
  });

  test("a request without Origin (not a browser) is admitted", () => {
    expect(isOriginAllowed(null, allowed)).toBe(true);
  });
});

describe("checkUpgradeHeaders", () => {
  const good = {
    upgrade: "websocket",
    connection: "keep-alive, Upgrade",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  const req = (headers: Record<string, string>, method = "GET") =>
    new Request("http://localhost/ws", { method, headers });

  test("accepts a well-formed handshake", () => {
    expect(checkUpgradeHeaders(req(good))).toBeNull();
  });

  test.each([
    ["POST", good, "POST", 405],
    ["no Upgrade header", { ...good, upgrade: "" }, "GET", 426],
    ["Upgrade: h2c", { ...good, upgrade: "h2c" }, "GET", 426],
    ["no Connection: upgrade", { ...good, connection: "keep-alive" }, "GET", 426],
    ["version 8", { ...good, "sec-websocket-version": "8" }, "GET", 426],
    ["a key of 15 bytes", { ...good, "sec-websocket-key": "AAAAAAAAAAAAAAAAAAAA" }, "GET", 400],
    ["no key", { ...good, "sec-websocket-key": "" }, "GET", 400],
    ["a declared body", { ...good, "content-length": "5" }, "GET", 400],
    ["a chunked body", { ...good, "transfer-encoding": "chunked" }, "GET", 400],
  ])("refuses %s", (_name, headers, method, status) => {
    expect(checkUpgradeHeaders(req(headers, method))?.status).toBe(status as never);
  });
});
