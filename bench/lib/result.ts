/** The record one load phase hands back to the orchestrator, and the helper that fills it. */
import type { LoopResult } from "./closed-loop.ts";
import { ownCpuMicros, readCpuMicros } from "./proc.ts";
import { summariseLatencies } from "./stats.ts";

export const PHASES = ["mint", "mint-wrk", "connect", "hold"] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PhaseResult {
  phase: PhaseName;
  ok: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  opsPerSecond: number;
  /** Server CPU (user + system, all threads) spent in the measured window. */
  serverCpuMicros: number;
  serverCpuPerOpMicros: number;
  /** How busy the load generator itself was: near 100 % means it, not the server, limited. */
  clientCpuPercent: number;
  p50Ms: number;
  p99Ms: number;
  hold?: HoldFigures;
  fanout?: FanoutFigures;
}

export interface HoldFigures {
  sessions: number;
  rssBeforeKiB: number;
  rssHeldKiB: number;
  rssAfterCloseKiB: number;
  rssPerSessionBytes: number;
}

export interface FanoutFigures {
  subscribers: number;
  publishes: number;
  /** Median over publishes of the time from the publish request to the last delivery. */
  lastDeliveryMs: number;
  /** Median over publishes of the time to the first delivery. */
  firstDeliveryMs: number;
  missedDeliveries: number;
  /** Server CPU per delivered frame, microseconds, including the publish request. */
  serverCpuPerDelivery: number;
  /** Share of that CPU spent in the kernel (0..1). */
  serverSystemShare: number;
}

/** CPU readings taken around a measured window. */
export class CpuWindow {
  private readonly server0: number;
  private readonly own0 = ownCpuMicros();
  private readonly t0 = performance.now();

  constructor(private readonly pid: number) {
    this.server0 = readCpuMicros(pid);
  }

  stop(): { serverCpuMicros: number; clientCpuPercent: number; wallMs: number } {
    const wallMs = performance.now() - this.t0;
    const serverCpuMicros = readCpuMicros(this.pid) - this.server0;
    const clientCpuPercent = ((ownCpuMicros() - this.own0) / 1000 / wallMs) * 100;
    return { serverCpuMicros, clientCpuPercent, wallMs };
  }
}

/** Turns a closed-loop run and its CPU window into a phase result. */
export function loopResult(
  phase: PhaseName,
  loop: LoopResult,
  cpu: ReturnType<CpuWindow["stop"]>,
): PhaseResult {
  const seconds = loop.elapsedMs / 1000;
  return {
    phase,
    ok: loop.ok,
    errors: loop.errors,
    errorSamples: loop.errorSamples,
    seconds,
    opsPerSecond: loop.ok / seconds,
    serverCpuMicros: cpu.serverCpuMicros,
    serverCpuPerOpMicros: loop.ok > 0 ? cpu.serverCpuMicros / loop.ok : Number.NaN,
    clientCpuPercent: cpu.clientCpuPercent,
    ...summariseLatencies(loop.latenciesMs),
  };
}
