/**
 * A consumer that stops reading must not grow the server's memory: Bun's backpressure limit
 * bounds its buffer, and the session is closed with 4003 as soon as a frame is dropped. The
 * server runs as its own process, so its memory is measured apart from the test's.
 */
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startProcess, type ServerProcess } from "../helpers/process.ts";
import { openRawSession, type RawSession } from "../helpers/raw-ws.ts";
import { admin, eventually, openSession, type Session } from "../helpers/sessions.ts";

const API_KEY = "slow-consumer-test-key-0123456789";
const PAYLOAD_BYTES = 60_000;
const MESSAGES = 3_000; // 180 MB pushed at a consumer that reads nothing
const BATCH = 25;
/**
 * What the server may grow by meanwhile: about half of what was pushed. Uncollected garbage
 * from parsing the publishes takes ~30 MB; a server that buffered for the consumer grows by
 * more than the 180 MB pushed.
 */
const RSS_BOUND_BYTES = 96 * 1024 * 1024;

let server: ServerProcess | undefined;
let slow: RawSession | undefined;
let publisher: Session | undefined;
afterEach(async () => {
  slow?.socket.destroy();
  await publisher?.[Symbol.asyncDispose]();
  await server?.[Symbol.asyncDispose]();
});

const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

test("a consumer that stops reading is closed with 4003 and the server's memory stays within the bound", async () => {
  server = await startProcess([], {
    TICKETGATE_API_KEYS: API_KEY,
    TICKETGATE_MAX_FRAME_BYTES: "65536",
    TICKETGATE_MESSAGE_RATE: "100000",
    TICKETGATE_DEMO: "false",
  });
  const minter = {
    async mint(body: Record<string, unknown> = {}) {
      return (await admin(server!.url, "POST", "/api/v1/tickets", body, API_KEY)).body
        .ticket as string;
    },
  };
  slow = await openRawSession(
    server.port,
    await minter.mint({ subject: "slow", channels: ["feed:*"] }),
  );
  slow.sendText(JSON.stringify({ type: "subscribe", channel: "feed:firehose" }));
  await eventually(() => slow!.received().includes('"subscribed"'), 3000, "subscribed");
  slow.socket.pause();

  publisher = await openSession(minter, `ws://127.0.0.1:${server.port}/ws`, {
    subject: "pub",
    channels: ["feed:*"],
  });
  const data = "x".repeat(PAYLOAD_BYTES);
  const pid = server.proc.pid;
  const before = rssOf(pid);
  let peak = before;

  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    for (let i = 0; i < BATCH; i++)
      publisher.send({ type: "publish", channel: "feed:firehose", data });
    for (let i = 0; i < BATCH; i++) expect((await publisher.next()).type).toBe("published");
    peak = Math.max(peak, rssOf(pid));
  }

  expect(peak - before).toBeLessThan(RSS_BOUND_BYTES);
  expect(server.stdout()).toContain('"msg":"slow consumer closed"');

  // Once it reads again, it gets what was buffered and then the close frame with 4003.
  slow.socket.resume();
  await slow.closed;
  expect(slow.closeCode()).toBe(4003);
}, 60_000);
