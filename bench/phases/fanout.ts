/**
 * Fan-out step of the hold phase: every held session subscribes to one channel, then the
 * harness publishes through the REST route and times the arrival at each subscriber.
 *
 * The clock starts just before the publish request is sent and stops at the last arrival,
 * so the figure includes the HTTP request and the load generator's own receive work for
 * every frame. That is what an operator would observe; raw Bun's figure shows the floor
 * this harness can measure on the same machine.
 *
 * On loopback a socket write also runs the receiving side's TCP processing in the
 * writer's context, so a server's CPU per delivery here is mostly kernel time (measured
 * on raw Bun: ~2 ms user and ~120 ms system per wave to 10k sessions). The report shows
 * the kernel's share beside each wave.
 */
import { publishMessage } from "../lib/client.ts";
import { sleep, withTimeout } from "../lib/closed-loop.ts";
import { readCpuSplitMicros } from "../lib/proc.ts";
import type { FanoutFigures } from "../lib/result.ts";
import { median } from "../lib/stats.ts";
import type { PhaseOptions } from "./options.ts";

export const FANOUT_CHANNEL = "bench";
/** A payload of a typical small notification, not a trivially short one. */
const PAD = "x".repeat(64);
/** Pause between publishes so one delivery wave never overlaps the next. */
const GAP_MS = 200;

export async function measureFanout(
  options: PhaseOptions,
  sockets: WebSocket[],
): Promise<FanoutFigures> {
  await subscribeAll(sockets, options.timeoutMs);

  const lastMs: number[] = [];
  const firstMs: number[] = [];
  let missed = 0;
  let userMicros = 0;
  let systemMicros = 0;
  for (let k = 0; k < options.publishes; k++) {
    await sleep(GAP_MS);
    const cpu0 = readCpuSplitMicros(options.serverPid);
    const wave = await timeOneWave(options, sockets, `fanout-${k}-${Date.now()}`);
    const cpu1 = readCpuSplitMicros(options.serverPid);
    userMicros += cpu1.user - cpu0.user;
    systemMicros += cpu1.system - cpu0.system;
    missed += wave.missed;
    if (wave.missed === 0) lastMs.push(wave.lastMs);
    firstMs.push(wave.firstMs);
  }

  const delivered = sockets.length * options.publishes - missed;
  return {
    subscribers: sockets.length,
    publishes: options.publishes,
    lastDeliveryMs: median(lastMs),
    firstDeliveryMs: median(firstMs),
    missedDeliveries: missed,
    serverCpuPerDelivery: (userMicros + systemMicros) / delivered,
    serverSystemShare: systemMicros / (userMicros + systemMicros),
  };
}

/** Sends one subscribe per session and waits for every `subscribed` reply. */
async function subscribeAll(sockets: WebSocket[], timeoutMs: number): Promise<void> {
  let pending = sockets.length;
  const all = new Promise<void>((resolve, reject) => {
    for (const ws of sockets) {
      ws.onmessage = (event) => {
        const text = String(event.data);
        if (!text.includes('"subscribed"')) {
          return reject(new Error(`subscribe: ${describe(text)}`));
        }
        ws.onmessage = null;
        if (--pending === 0) resolve();
      };
      ws.send(JSON.stringify({ type: "subscribe", channel: FANOUT_CHANNEL }));
    }
  });
  await withTimeout(all, timeoutMs * 3, "subscriptions unanswered");
}

/** Names a refusal by the frame's type and code; never echoes the frame itself. */
function describe(text: string): string {
  try {
    const frame = JSON.parse(text) as { type?: unknown; code?: unknown };
    return `answered ${String(frame.type)}${frame.code ? ` (${String(frame.code)})` : ""}`;
  } catch {
    return "answered a non-JSON frame";
  }
}

/**
 * Publishes one message carrying a unique marker and records when each socket sees it.
 * Receivers only search for the marker, never parse JSON, so the client's per-frame work
 * (which is inside the measurement) stays as small as it can be.
 */
async function timeOneWave(options: PhaseOptions, sockets: WebSocket[], marker: string) {
  const arrivals = new Float64Array(sockets.length);
  let remaining = sockets.length;
  let allArrived = () => {};
  const done = new Promise<void>((resolve) => (allArrived = resolve));

  sockets.forEach((ws, i) => {
    ws.onmessage = (event) => {
      if (arrivals[i] !== 0 || !String(event.data).includes(marker)) return;
      arrivals[i] = performance.now();
      if (--remaining === 0) allArrived();
    };
  });

  const t0 = performance.now();
  await publishMessage(options.endpoint, FANOUT_CHANNEL, { marker, pad: PAD });
  await withTimeout(done, options.timeoutMs, "wave incomplete").catch(() => {});

  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const at of arrivals) {
    if (at === 0) continue;
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  for (const ws of sockets) ws.onmessage = null;
  return { firstMs: first - t0, lastMs: last - t0, missed: remaining };
}
