/**
 * Malformed channel requests with real clients: each is answered by exactly one error frame
 * and the session keeps serving. Pins the crash where `{"type":"unsubscribe","channel":""}`
 * reached Bun's `isSubscribed`, which throws on an empty topic, and the client got no reply.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { openSession, type Frame, type Session } from "../helpers/sessions.ts";

let gw: TestGateway | undefined;
let alice: Session | undefined;
afterEach(async () => {
  await alice?.[Symbol.asyncDispose]();
  await gw?.stop();
  alice = gw = undefined;
});

const HUGE = "chat:" + "a".repeat(20_000);
/** One character past the 128 a channel name may have, otherwise valid and granted by chat:*. */
const TOO_LONG = "chat:" + "a".repeat(124);

/** [what, frame as sent (object or raw text), expected error code]; each carries id 7. */
const BAD_FRAMES: [string, Frame | string, string][] = [
  ["unsubscribe from an empty channel", { type: "unsubscribe", channel: "", id: 7 }, "bad_frame"],
  ["subscribe to an empty channel", { type: "subscribe", channel: "", id: 7 }, "bad_frame"],
  ["publish to an empty channel", { type: "publish", channel: "", data: 1, id: 7 }, "bad_frame"],
  ["subscribe to a number", { type: "subscribe", channel: 42, id: 7 }, "bad_frame"],
  ["unsubscribe from null", { type: "unsubscribe", channel: null, id: 7 }, "bad_frame"],
  [
    "publish to an object",
    { type: "publish", channel: { name: "chat:x" }, data: 1, id: 7 },
    "bad_frame",
  ],
  ["subscribe to a huge channel", { type: "subscribe", channel: HUGE, id: 7 }, "bad_frame"],
  ["unsubscribe from a huge channel", { type: "unsubscribe", channel: HUGE, id: 7 }, "bad_frame"],
  ["publish to a huge channel", { type: "publish", channel: HUGE, data: 1, id: 7 }, "bad_frame"],
  [
    "subscribe to a 129-character channel",
    { type: "subscribe", channel: TOO_LONG, id: 7 },
    "bad_frame",
  ],
  ["subscribe to a pattern", { type: "subscribe", channel: "chat:*", id: 7 }, "bad_frame"],
  ["unsubscribe from a pattern", { type: "unsubscribe", channel: "chat:*", id: 7 }, "bad_frame"],
  ["publish to a pattern", { type: "publish", channel: "chat:*", data: 1, id: 7 }, "bad_frame"],
  ["subscribe without a channel", { type: "subscribe", id: 7 }, "bad_frame"],
  ["unsubscribe without a channel", { type: "unsubscribe", id: 7 }, "bad_frame"],
  ["publish without a channel", { type: "publish", data: 1, id: 7 }, "bad_frame"],
  ["publish without data", { type: "publish", channel: "chat:x", id: 7 }, "bad_frame"],
  ["reauth without a ticket", { type: "reauth", id: 7 }, "reauth_failed"],
  ["reauth with a numeric ticket", { type: "reauth", ticket: 5, id: 7 }, "reauth_failed"],
  [
    "reauth with a huge ticket",
    { type: "reauth", ticket: "tgt_" + "a".repeat(20_000), id: 7 },
    "reauth_failed",
  ],
  ["a numeric type", '{"type":5,"id":7}', "bad_frame"],
];

/** Request ids a reply must not echo: not a string, or a number JSON cannot write back. */
const ODD_IDS: [string, string][] = [
  ["an object id", '{"type":"unsubscribe","channel":"","id":{"n":1}}'],
  ["an array id", '{"type":"subscribe","channel":"","id":[1]}'],
  ["a null id", '{"type":"publish","channel":"","data":1,"id":null}'],
  ["a boolean id", '{"type":"unsubscribe","channel":"","id":true}'],
  ["an id that overflows to Infinity", '{"type":"unsubscribe","channel":"","id":1e400}'],
  [
    "an object id on an otherwise valid subscribe",
    '{"type":"subscribe","channel":"chat:a","id":{"o":1}}',
  ],
  ["a boolean id on a ping", '{"type":"ping","id":false}'],
];

async function session(): Promise<Session> {
  gw = await startGateway();
  alice = await openSession(gw, gw.wsUrl, { subject: "alice", channels: ["chat:*"] });
  return alice;
}

/** The reply to `frame`, after checking nothing else came before the pong that follows it. */
async function onlyReply(s: Session, frame: Frame | string): Promise<Frame> {
  s.send(frame);
  s.send({ type: "ping", id: "after" });
  const reply = await s.next();
  expect(await s.next()).toEqual({ type: "pong", id: "after" });
  return reply;
}

describe("malformed channel requests", () => {
  test.each(BAD_FRAMES)(
    "%s is answered by exactly one error and the session stays up",
    async (_what, frame, code) => {
      const s = await session();
      expect(await onlyReply(s, frame)).toMatchObject({ type: "error", code, id: 7 });
      expect(await s.request({ type: "ping", id: "still" })).toEqual({ type: "pong", id: "still" });
    },
  );

  test.each(ODD_IDS)("a bad frame with %s gets one error without an id", async (_what, text) => {
    const s = await session();
    const reply = await onlyReply(s, text);
    expect(reply).toMatchObject({ type: "error", code: "bad_frame" });
    expect("id" in reply).toBe(false);
  });

  test("a valid channel name in a bad frame still gets a normal answer afterwards", async () => {
    const s = await session();
    await onlyReply(s, { type: "unsubscribe", channel: "", id: 1 });
    expect(await s.request({ type: "subscribe", channel: "chat:x", id: 2 })).toEqual({
      type: "subscribed",
      channel: "chat:x",
      id: 2,
    });
    expect(await s.request({ type: "unsubscribe", channel: "chat:x", id: 3 })).toEqual({
      type: "unsubscribed",
      channel: "chat:x",
      id: 3,
    });
  });

  test("a crash-shaped frame leaves no error in the server log", async () => {
    const s = await session();
    await onlyReply(s, { type: "unsubscribe", channel: "" });
    expect(gw!.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
