/**
 * Hold phase: open N sessions, keep them idle, and charge the server's RSS growth to them.
 * The same sessions then serve as the fan-out audience, which saves opening 10k sockets
 * twice per round. Everything is closed at the end, even when a step fails.
 *
 * The orchestrator restarts the server before this phase: a heap grown by earlier phases
 * has free room that new sessions fill without moving RSS, which made Node's figure read
 * a few hundred bytes. A short warm-up of connect cycles first lets JIT code and pools
 * reach their working size, so they are not charged to the sessions either.
 */
import { closeSession, mintTicket, openSession } from "../lib/client.ts";
import { runClosedLoop, sleep } from "../lib/closed-loop.ts";
import { readRssKiB } from "../lib/proc.ts";
import { CpuWindow, loopResult, type FanoutFigures, type PhaseResult } from "../lib/result.ts";
import { connectCycle } from "./connect.ts";
import { FANOUT_CHANNEL, measureFanout } from "./fanout.ts";
import type { PhaseOptions } from "./options.ts";

/** Opening this many sessions at once keeps the accept queue busy without flooding it. */
const OPEN_CONCURRENCY = 64;
/** Lets the server finish post-open work (and allocator bookkeeping) before RSS is read. */
const SETTLE_MS = 1_000;
/** Upper bound on opening all sessions; far above what 10k needs even on a busy machine. */
const OPEN_DEADLINE_MS = 120_000;
/** Upper bound on closing them all at the end. */
const CLOSE_DEADLINE_MS = 30_000;

export async function runHoldPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { endpoint, serverPid, sessions: wanted, timeoutMs } = options;
  const sockets: WebSocket[] = [];
  const open = async (i: number) => {
    // Granting the fan-out channel up front lets servers that restrict channels accept it.
    const body = { subject: `bench-hold-${i}`, channels: [FANOUT_CHANNEL] };
    const ticket = await mintTicket(endpoint, body);
    sockets.push(await openSession(endpoint, ticket, timeoutMs));
  };

  const warmup = (i: number) => connectCycle(endpoint, `bench-warmup-${i}`, timeoutMs);
  const { concurrency, warmupMs: durationMs, maxOps } = options;
  if (durationMs > 0) await runClosedLoop({ concurrency, durationMs, maxOps }, warmup);

  await sleep(SETTLE_MS);
  const rssBeforeKiB = readRssKiB(serverPid);
  const cpu = new CpuWindow(serverPid);
  let closed = false;
  try {
    const loop = await runClosedLoop(
      { concurrency: OPEN_CONCURRENCY, durationMs: OPEN_DEADLINE_MS, maxOps: wanted },
      open,
    );
    const result = loopResult("hold", loop, cpu.stop());

    await sleep(SETTLE_MS);
    const rssHeldKiB = readRssKiB(serverPid);
    // A server without subscribe or publish still gets its hold figures; the fan-out
    // failure is reported beside them.
    let fanout: FanoutFigures | undefined;
    if (options.publishes > 0 && sockets.length > 0) {
      try {
        fanout = await measureFanout(options, sockets);
      } catch (error) {
        result.errorSamples.push(`fan-out failed: ${(error as Error).message}`);
      }
    }

    await closeAll(sockets);
    closed = true;
    await sleep(SETTLE_MS);
    const rssAfterCloseKiB = readRssKiB(serverPid);
    const rssPerSessionBytes = ((rssHeldKiB - rssBeforeKiB) * 1024) / Math.max(1, sockets.length);
    result.hold = {
      sessions: sockets.length,
      rssBeforeKiB,
      rssHeldKiB,
      rssAfterCloseKiB,
      rssPerSessionBytes,
    };
    result.fanout = fanout;
    return result;
  } finally {
    if (!closed) await closeAll(sockets);
  }
}

/** Closes every socket concurrently; a socket already closed costs nothing. */
async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((ws) => closeSession(ws, CLOSE_DEADLINE_MS)));
}
