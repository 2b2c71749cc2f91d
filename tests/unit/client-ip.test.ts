/** Which address a request is counted and bound under, with and without trusted proxies. */
import { describe, expect, test } from "bun:test";
import {
  ClientIpResolver,
  limitKeyForIp,
  normalizeIp,
  parseTrustedProxies,
} from "../../src/abuse/client-ip.ts";

const headers = (entries: Record<string, string>) => new Headers(entries);

describe("without trusted proxies", () => {
  const resolver = new ClientIpResolver();

  test("uses the socket's address and ignores X-Forwarded-For", () => {
    expect(resolver.resolve("203.0.113.9", headers({ "x-forwarded-for": "198.51.100.1" }))).toBe(
      "203.0.113.9",
    );
  });

  test("writes an IPv4-mapped IPv6 peer as IPv4", () => {
    expect(resolver.resolve("::ffff:127.0.0.1", headers({}))).toBe("127.0.0.1");
  });
});

describe("behind a trusted proxy", () => {
  const resolver = new ClientIpResolver(["10.0.0.0/8", "127.0.0.1"]);

  test.each([
    ["one hop", "198.51.100.7", "198.51.100.7"],
    [
      "the rightmost untrusted hop, not the client-written left part",
      "1.1.1.1, 198.51.100.7, 10.0.0.3",
      "198.51.100.7",
    ],
    ["the leftmost when every hop is trusted", "10.0.0.9, 10.0.0.3", "10.0.0.9"],
    ["the proxy when the hop is unreadable", "junk", "127.0.0.1"],
    ["an IPv4 hop with a port", "198.51.100.7:5555", "198.51.100.7"],
  ])("takes %s", (_name, xff, expected) => {
    expect(resolver.resolve("127.0.0.1", headers({ "x-forwarded-for": xff }))).toBe(expected);
  });

  test("ignores X-Forwarded-For from a peer that is not trusted", () => {
    expect(resolver.resolve("203.0.113.9", headers({ "x-forwarded-for": "198.51.100.7" }))).toBe(
      "203.0.113.9",
    );
  });

  test("reads Forwarded when told to, and ignores X-Forwarded-For then", () => {
    const forwarded = new ClientIpResolver(["127.0.0.1"], "forwarded");
    const request = headers({
      forwarded: 'for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"',
      "x-forwarded-for": "198.51.100.7",
    });
    expect(forwarded.resolve("127.0.0.1", request)).toBe("2001:db8:cafe::17");
  });
});

describe("parsing and keys", () => {
  test.each(["10.0.0.0/33", "not-an-ip", "10.0.0.0/", "::1/129", "1.2.3.4/8/9"])(
    "refuses the proxy entry %p",
    (entry) => {
      expect(() => parseTrustedProxies([entry])).toThrow(/not an IP address or CIDR range/);
    },
  );

  test("normalises case and zone ids", () => {
    expect(normalizeIp("FE80::1%eth0")).toBe("fe80::1");
  });

  test("limits IPv6 clients per /64 and IPv4 clients per address", () => {
    expect(limitKeyForIp("2001:db8:1:2:aaaa::1")).toBe("2001:0db8:0001:0002::/64");
    expect(limitKeyForIp("2001:db8:1:2:bbbb::9")).toBe("2001:0db8:0001:0002::/64");
    expect(limitKeyForIp("::1")).toBe("0000:0000:0000:0000::/64");
    expect(limitKeyForIp("198.51.100.7")).toBe("198.51.100.7");
  });
});
