/**
 * Mint phase, driven by Bun's fetch: POST /api/v1/tickets at fixed concurrency. Fetch
 * reuses keep-alive connections, as a real backend calling ticketgate would.
 */
import { mintTicket } from "../lib/client.ts";
import { runClosedLoop } from "../lib/closed-loop.ts";
import { CpuWindow, loopResult, type PhaseResult } from "../lib/result.ts";
import type { PhaseOptions } from "./options.ts";

export async function runMintPhase(options: PhaseOptions): Promise<PhaseResult> {
  // Distinct subjects, as many users would have; a single subject could trip per-subject limits.
  const op = async (i: number) => {
    await mintTicket(options.endpoint, { subject: `bench-mint-${i}` });
  };
  const { concurrency, warmupMs, durationMs, maxOps } = options;

  await runClosedLoop({ concurrency, durationMs: warmupMs, maxOps }, op);
  const cpu = new CpuWindow(options.serverPid);
  const loop = await runClosedLoop({ concurrency, durationMs, maxOps }, op);
  return loopResult("mint", loop, cpu.stop());
}
