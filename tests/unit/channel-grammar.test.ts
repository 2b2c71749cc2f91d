/** The channel grammar: names, patterns, {subject} expansion, matching and narrowing, attacked hard. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  expandPattern,
  isAllowed,
  isChannelName,
  isNarrowing,
  matchesPattern,
  patternCovers,
  patternProblem,
  type ChannelGrant,
} from "../../src/channels/grammar.ts";

const grant = (pattern: string, publish = true): ChannelGrant => ({ pattern, publish });

describe("channel names", () => {
  test.each([
    "chat:lobby",
    "a",
    "user:alice@example.com",
    "x.y-z_w=1",
    "A".repeat(128),
    "chat:..:admin",
  ])("accepts %p", (name) => expect(isChannelName(name)).toBe(true));

  test.each([
    ["empty", ""],
    ["129 characters", "a".repeat(129)],
    ["a star", "chat:*"],
    ["a placeholder", "user:{subject}"],
    ["a slash", "chat:../admin"],
    ["a percent escape", "chat%3Aadmin"],
    ["a space", "chat lobby"],
    ["a newline", "chat:lobby\n"],
    ["a NUL byte", "chat:\u0000admin"],
    ["a fullwidth colon", "chat\uff1alobby"],
    ["a Cyrillic look-alike", "chat:l\u043ebby"],
    ["a zero-width space", "chat:\u200blobby"],
    ["a right-to-left override", "chat:\u202elobby"],
  ])("refuses a name with %s", (_what, name) => expect(isChannelName(name)).toBe(false));
});

describe("patterns as written in a mint request", () => {
  test.each([
    "chat:*",
    "*",
    "user:{subject}",
    "user:{subject}:*",
    "{subject}:inbox",
    "dm:{subject}:{subject}",
    "news",
  ])("accepts %p", (pattern) => expect(patternProblem(pattern)).toBeNull());

  test.each([
    ["a star in the middle", "chat:*:x"],
    ["two stars", "chat:**"],
    ["a leading star", "*:admin"],
    ["a placeholder glued to a prefix", "user{subject}"],
    ["a placeholder followed by a star", "user:{subject}*"],
    ["a placeholder glued to a suffix", "user:{subject}x"],
    ["two adjacent placeholders", "{subject}{subject}"],
    ["an unknown placeholder", "user:{id}"],
    ["a broken placeholder", "user:{subject"],
    ["a regex", "chat:.+"],
    ["a slash", "chat/*"],
    ["an empty pattern", ""],
    ["129 characters", "a".repeat(129)],
  ])("refuses %s", (_what, pattern) => expect(patternProblem(pattern)).not.toBeNull());
});

describe("{subject} expansion", () => {
  test("puts the subject into every placeholder", () => {
    expect(expandPattern("dm:{subject}:{subject}", "bob")).toBe("dm:bob:bob");
    expect(expandPattern("user:{subject}:*", "alice@example.com")).toBe("user:alice@example.com:*");
  });

  test("leaves a pattern without placeholder as it is, whatever the subject", () => {
    expect(expandPattern("chat:*", "a b c")).toBe("chat:*");
  });

  test.each([
    ["a star that would become a wildcard", "bob*"],
    ["a lone star", "*"],
    ["a colon that would reach another subject's channels", "bob:inbox"],
    ["a space", "bob smith"],
    ["a slash", "../admin"],
    ["a placeholder of its own", "{subject}"],
    ["a look-alike character", "b\u043eb"],
    ["a length that overflows the name", "b".repeat(130)],
  ])("refuses a subject with %s", (_what, subject) => {
    expect(expandPattern("user:{subject}", subject)).toBeNull();
  });

  test("no channel of one subject's grants is granted to another subject (property)", () => {
    const fragment = fc.stringMatching(/^[A-Za-z0-9_.@=:*-]{1,8}$/);
    // Related pairs (one subject a prefix of the other, joined by a separator or a star) are
    // where an escape would hide; unrelated pairs come along for free.
    const glue = fc.constantFrom("", ":", "*", ".", "*:");
    const pair = fc.tuple(fragment, fragment, glue).map(([a, tail, g]) => [a, a + g + tail]);
    const patterns = [
      "user:{subject}",
      "user:{subject}:*",
      "{subject}:inbox",
      "dm:{subject}:*",
      "{subject}",
    ];
    const grantsOf = (subject: string) =>
      patterns
        .map((p) => expandPattern(p, subject))
        .filter((p): p is string => p !== null)
        .map((p) => grant(p));
    const concrete = (pattern: string, suffix: string) =>
      pattern.endsWith("*") ? pattern.slice(0, -1) + suffix : pattern;

    fc.assert(
      fc.property(
        pair,
        fc.stringMatching(/^[A-Za-z0-9_.:@=-]{1,12}$/),
        fc.boolean(),
        ([a, b], suffix, swap) => {
          const [mine, theirs] = swap ? [b!, a!] : [a!, b!];
          fc.pre(mine !== theirs);
          for (const { pattern } of grantsOf(mine)) {
            expect(isAllowed(grantsOf(theirs), concrete(pattern, suffix), "subscribe")).toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("matching a channel against grants", () => {
  const grants = [grant("chat:*"), grant("news:*", false), grant("user:bob"), grant("rooms:a*")];

  test.each([
    ["chat:lobby", "subscribe", true],
    ["chat:team:1", "subscribe", true],
    ["chat:..:admin", "subscribe", true],
    ["chat:", "subscribe", false],
    ["chat", "subscribe", false],
    ["chatroom", "subscribe", false],
    ["CHAT:lobby", "subscribe", false],
    ["chat:lobby*", "subscribe", false],
    ["chat:*", "subscribe", false],
    ["chat:lobby\n", "subscribe", false],
    ["chat:../admin", "subscribe", false],
    ["chat\uff1alobby", "subscribe", false],
    ["user:bob", "publish", true],
    ["user:bobby", "subscribe", false],
    ["user:bob:x", "subscribe", false],
    ["user:alice", "subscribe", false],
    ["news:today", "subscribe", true],
    ["news:today", "publish", false],
    ["rooms:abc", "publish", true],
    ["rooms:a", "subscribe", false],
    ["admin", "subscribe", false],
  ] as const)("%p to %s: %p", (channel, action, allowed) => {
    expect(isAllowed(grants, channel, action)).toBe(allowed);
  });

  test("a lone star grants every valid name and nothing else", () => {
    expect(isAllowed([grant("*")], "anything:at:all", "publish")).toBe(true);
    expect(isAllowed([grant("*")], "not valid", "subscribe")).toBe(false);
  });

  test("whatever a prefix grant admits is a valid name that starts with the prefix (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        if (!isAllowed([grant("chat:*")], name, "subscribe")) return;
        expect(isChannelName(name)).toBe(true);
        expect(name.startsWith("chat:") && name.length > 5).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("narrowing, for reauth", () => {
  test.each([
    ["chat:*", "chat:*", true],
    ["chat:*", "chat:lobby", true],
    ["chat:*", "chat:team:*", true],
    ["chat:*", "chat*", false],
    ["chat:*", "*", false],
    ["chat:lobby", "chat:lobby", true],
    ["chat:lobby", "chat:*", false],
    ["chat:lobby", "chat:lobby2", false],
    ["*", "anything:*", true],
  ])("%p covers %p: %p", (wide, narrow, covered) => {
    expect(patternCovers(wide, narrow)).toBe(covered);
    if (covered) expect(matchesPattern(wide, narrow.replace(/\*$/, "x"))).toBe(true);
  });

  test("a subset of the grants is narrower; an extra or wider one is not", () => {
    const current = [grant("chat:*"), grant("news:*", false)];
    expect(isNarrowing([grant("chat:lobby")], current)).toBe(true);
    expect(isNarrowing([grant("news:today", false)], current)).toBe(true);
    expect(isNarrowing([], current)).toBe(true);
    expect(isNarrowing([grant("admin")], current)).toBe(false);
    expect(isNarrowing([grant("chat:lobby"), grant("admin:*")], current)).toBe(false);
  });

  test("turning a subscribe-only grant into a publish grant is a widening", () => {
    expect(isNarrowing([grant("news:today", true)], [grant("news:*", false)])).toBe(false);
  });
});
