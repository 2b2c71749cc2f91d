/** Merging per-node answers, and refusing malformed ones from the Redis bus. */
import { describe, expect, test } from "bun:test";
import { MAX_PRESENCE_SUBJECTS, mergePresence, mergeSessionPages } from "../../src/realtime/hub.ts";
import type { LocalNode, SessionInfo } from "../../src/realtime/hub.ts";
import {
  answerQuery,
  isAnswerTo,
  parseRevocations,
  type Revocation,
} from "../../src/realtime/redis-hub-wire.ts";

const info = (session: string, node = "n_a"): SessionInfo => ({
  session,
  subject: "alice",
  node,
  opened_at: "2026-01-01T00:00:00.000Z",
  expires_at: "2026-01-01T01:00:00.000Z",
  channels: [],
});

describe("merging answers from several nodes", () => {
  test("presence sums each subject's sessions over nodes and sorts subjects", () => {
    const merged = mergePresence([
      {
        sessions: 3,
        subjects: [
          { subject: "bob", sessions: 1 },
          { subject: "carol", sessions: 2 },
        ],
        truncated: false,
      },
      {
        sessions: 2,
        subjects: [
          { subject: "alice", sessions: 1 },
          { subject: "bob", sessions: 1 },
        ],
        truncated: false,
      },
    ]);
    expect(merged).toEqual({
      sessions: 5,
      subjects: [
        { subject: "alice", sessions: 1 },
        { subject: "bob", sessions: 2 },
        { subject: "carol", sessions: 2 },
      ],
      truncated: false,
    });
  });

  test("presence lists at most the cap of subjects and says so", () => {
    const many = Array.from({ length: MAX_PRESENCE_SUBJECTS }, (_, i) => ({
      subject: `s${String(i).padStart(5, "0")}`,
      sessions: 1,
    }));
    const merged = mergePresence([
      { sessions: many.length, subjects: many, truncated: false },
      { sessions: 1, subjects: [{ subject: "zzz", sessions: 1 }], truncated: false },
    ]);
    expect(merged.subjects).toHaveLength(MAX_PRESENCE_SUBJECTS);
    expect(merged.truncated).toBe(true);
    expect(merged.sessions).toBe(MAX_PRESENCE_SUBJECTS + 1);
  });

  test("session pages interleave by id and keep one extra entry to tell a next page exists", () => {
    const merged = mergeSessionPages(
      [
        [info("s_1"), info("s_4"), info("s_5")],
        [info("s_2", "n_b"), info("s_3", "n_b")],
      ],
      3,
    );
    expect(merged.map((s) => s.session)).toEqual(["s_1", "s_2", "s_3", "s_4"]);
  });
});

describe("queries arriving from other nodes", () => {
  const calls: string[] = [];
  const local: LocalNode = {
    deliver: () => {},
    presence: (channel) => (
      calls.push(`presence ${channel}`),
      { sessions: 0, subjects: [], truncated: false }
    ),
    sessions: () => [],
    closeSubject: (subject) => (calls.push(`close ${subject}`), 2),
    closeSession: () => false,
    hubFailed: () => {},
  };

  test.each([
    ["a non-object", "nope"],
    ["an unknown operation", { op: "flushall", args: {} }],
    ["a presence query for an invalid channel", { op: "presence", args: { channel: "chat:*" } }],
    ["a sessions query with a huge limit", { op: "sessions", args: { limit: 1e9 } }],
    ["a revocation without a subject", { op: "revokeSubject", args: {} }],
    [
      "a revocation with an over-long subject",
      { op: "revokeSubject", args: { subject: "x".repeat(257) } },
    ],
  ])("ignores %s", (_what, query) => {
    calls.length = 0;
    expect(answerQuery(local, "n_self", query)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  test("answers a revocation with the number of sessions it closed", () => {
    expect(answerQuery(local, "n_self", { op: "revokeSubject", args: { subject: "alice" } })).toBe(
      2,
    );
  });

  test.each([
    ["presence", { sessions: "3", subjects: [], truncated: false }],
    ["presence", { sessions: 3, subjects: [{ subject: 1, sessions: 1 }], truncated: false }],
    ["sessions", [{ session: "s_1" }]],
    ["revokeSubject", -1],
    ["revokeSession", "yes"],
  ] as const)("refuses a malformed %s answer", (op, answer) => {
    expect(isAnswerTo(op, answer)).toBe(false);
  });
});

describe("the revocation log", () => {
  test("reads flat and paired WITHSCORES replies alike, skipping odd entries", () => {
    const expected: Revocation[] = [
      { kind: "subject", id: "alice", at: 1000 },
      { kind: "session", id: "s_1", at: 2000 },
    ];
    expect(parseRevocations(["u:alice", "1000", "s:s_1", "2000", "junk", "3"])).toEqual(expected);
    expect(
      parseRevocations([
        ["u:alice", 1000],
        ["s:s_1", 2000],
        ["u:", 4],
      ]),
    ).toEqual(expected);
    expect(parseRevocations("OK")).toEqual([]);
  });
});
