/** Channel narrowing for JWT bearers, and bindings carried in a grant. */
import { describe, expect, test } from "bun:test";
import { grantsFromClaim, intersectGrants } from "../../src/auth/channel-claims.ts";
import { patternCovers } from "../../src/channels/grammar.ts";
import {
  bindableOrigin,
  bindGrant,
  checkBinding,
  MAX_BOUND_ORIGIN_LENGTH,
  unbindGrant,
} from "../../src/tickets/binding.ts";

const g = (pattern: string, publish = true) => ({ pattern, publish });

describe("channel claims", () => {
  test("reads a list, objects and a space-separated string, expanding {subject} and skipping junk", () => {
    expect(
      grantsFromClaim(["chat:*", { pattern: "news:*", publish: false }, "bad pattern", 7], "bob"),
    ).toEqual([g("chat:*"), g("news:*", false)]);
    expect(grantsFromClaim("user:{subject} chat:lobby", "bob")).toEqual([
      g("user:bob"),
      g("chat:lobby"),
    ]);
    expect(grantsFromClaim(undefined, "bob")).toEqual([]);
  });

  test.each([
    ["chat:*", "chat:lobby", true],
    ["chat:*", "chat:team:*", true],
    ["chat:*", "chat:*", true],
    ["chat*", "chat:*", true],
    ["chat:*", "chat*", false],
    ["chat:lobby", "chat:*", false],
    ["*", "anything:*", true],
    ["a:*", "b:*", false],
  ])("%s covers %s: %p", (outer, inner, expected) => {
    expect(patternCovers(outer, inner)).toBe(expected);
  });

  test("narrows a request to exactly what both sides admit", () => {
    const granted = [g("chat:*"), g("news:daily", false)];
    const requested = [g("chat:lobby"), g("*"), g("admin:*"), g("news:daily")];
    const result = intersectGrants(requested, granted);
    expect(new Map(result.map((r) => [r.pattern, r.publish]))).toEqual(
      new Map([
        ["chat:lobby", true],
        ["chat:*", true],
        ["news:daily", false],
      ]),
    );
  });

  test("never grants anything when the token grants nothing", () => {
    expect(intersectGrants([g("*")], [])).toEqual([]);
  });
});

describe("bindings in a grant", () => {
  const grant = { subject: "alice", channels: [], metadata: { plan: "pro" } };

  test("round-trip through metadata and come out clean", () => {
    const bound = bindGrant(grant, { origin: "https://app.example.com" });
    const { grant: clean, binding } = unbindGrant(bound);
    expect(clean).toEqual(grant);
    expect(binding).toEqual({ origin: "https://app.example.com" });
  });

  test("leave an unbound grant untouched", () => {
    expect(bindGrant(grant, {})).toBe(grant);
    expect(unbindGrant(grant)).toEqual({ grant, binding: undefined });
  });

  test.each([
    [{ origin: "https://a.example" }, { origin: "https://A.example", clientIp: "1.2.3.4" }, null],
    [
      { origin: "https://a.example" },
      { origin: "https://b.example", clientIp: "1.2.3.4" },
      "bound_origin",
    ],
    [{ origin: "https://a.example" }, { origin: null, clientIp: "1.2.3.4" }, "bound_origin"],
    [{ clientIp: "1.2.3.4" }, { origin: null, clientIp: "1.2.3.5" }, "bound_ip"],
    ["unreadable" as const, { origin: null, clientIp: "1.2.3.4" }, "bound_unreadable"],
  ])("binding %p checked against %p gives %p", (binding, actual, expected) => {
    expect(checkBinding(binding, actual)).toBe(expected as never);
  });

  test("a session keeps its origin in lower case, and none when it is absent or longer than any binding", () => {
    expect(bindableOrigin("https://App.Example")).toBe("https://app.example");
    expect(bindableOrigin(null)).toBeUndefined();
    expect(bindableOrigin("https://" + "a".repeat(MAX_BOUND_ORIGIN_LENGTH))).toBeUndefined();
  });

  test("a session without a stored origin or address matches no binding of that kind", () => {
    expect(
      checkBinding({ origin: "https://a.example" }, { origin: undefined, clientIp: "1.2.3.4" }),
    ).toBe("bound_origin");
    expect(checkBinding({ clientIp: "1.2.3.4" }, { origin: undefined, clientIp: undefined })).toBe(
      "bound_ip",
    );
  });

  test("an unreadable stored binding is refused, never ignored", () => {
    const tampered = { ...grant, metadata: { "$ticketgate.bind": "junk" } };
    expect(unbindGrant(tampered).binding).toBe("unreadable");
  });
});
