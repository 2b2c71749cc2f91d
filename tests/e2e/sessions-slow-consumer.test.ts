/**
 * A consumer that stops reading must not grow the server's memory: Bun's backpressure limit
 * bounds its buffer, and the session is closed with 4003 as soon as a frame is dropped.
 */
import { afterEach, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { openRawSession, type RawSession } from "../helpers/raw-ws.ts";
import { eventually, openSession, type Session } from "../helpers/sessions.ts";

const PAYLOAD_BYTES = 60_000;
const MESSAGES = 3_000; // 180 MB pushed at a consumer that reads nothing
const BATCH = 25;
/** What the server may grow by while that happens: a fraction of what was pushed. */
const RSS_BOUND_BYTES = 64 * 1024 * 1024;

let gw: TestGateway;
let slow: RawSession | undefined;
let publisher: Session | undefined;
afterEach(async () => {
  slow?.socket.destroy();
  await publisher?.[Symbol.asyncDispose]();
  await gw?.stop();
});

test(
  "a consumer that stops reading is closed with 4003 and the server's memory stays within the bound",
  async () => {
    gw = await startGateway({ config: { maxFrameBytes: 65_536, messageRate: 100_000 } });
    slow = await openRawSession(gw.port, await gw.mint({ subject: "slow", channels: ["feed:*"] }));
    slow.sendText(JSON.stringify({ type: "subscribe", channel: "feed:firehose" }));
    await eventually(() => slow!.received().includes('"subscribed"'), 3000, "subscribed");
    slow.socket.pause();

    publisher = await openSession(gw, gw.wsUrl, { subject: "pub", channels: ["feed:*"] });
    const data = "x".repeat(PAYLOAD_BYTES);
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    let peak = before;

    for (let sent = 0; sent < MESSAGES; sent += BATCH) {
      for (let i = 0; i < BATCH; i++) publisher.send({ type: "publish", channel: "feed:firehose", data });
      for (let i = 0; i < BATCH; i++) expect((await publisher.next()).type).toBe("published");
      if (sent % (BATCH * 20) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    Bun.gc(true);
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(peak - before).toBeLessThan(RSS_BOUND_BYTES);
    expect(gw.logs.some((l) => l.includes('"slow consumer closed"') && l.includes('"subject":"slow"'))).toBe(true);

    // Once it reads again, it gets what was buffered and then the close frame with 4003.
    slow.socket.resume();
    await slow.closed;
    expect(slow.closeCode()).toBe(4003);
  },
  60_000,
);
