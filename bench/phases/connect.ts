/**
 * Connect phase: full product cycles at fixed concurrency — mint a ticket, open the
 * socket with it, wait for the welcome, close and wait for the close handshake. Waiting
 * for the close means the server's teardown work falls inside the measured window.
 */
import { closeSession, mintTicket, openSession, type Endpoint } from "../lib/client.ts";
import { runClosedLoop } from "../lib/closed-loop.ts";
import { CpuWindow, loopResult, type PhaseResult } from "../lib/result.ts";
import type { PhaseOptions } from "./options.ts";

/** One product cycle; the hold phase also uses it to warm a freshly started server. */
export async function connectCycle(endpoint: Endpoint, subject: string, timeoutMs: number) {
  const ticket = await mintTicket(endpoint, { subject });
  const ws = await openSession(endpoint, ticket, timeoutMs);
  if (!(await closeSession(ws, timeoutMs))) throw new Error("close handshake timed out");
}

export async function runConnectPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { endpoint, timeoutMs, concurrency, warmupMs, durationMs, maxOps } = options;
  const op = (i: number) => connectCycle(endpoint, `bench-connect-${i}`, timeoutMs);

  await runClosedLoop({ concurrency, durationMs: warmupMs, maxOps }, op);
  const cpu = new CpuWindow(options.serverPid);
  const loop = await runClosedLoop({ concurrency, durationMs, maxOps }, op);
  return loopResult("connect", loop, cpu.stop());
}
