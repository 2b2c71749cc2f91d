/** What every load phase is told: where the server is, and how far it may go. */
import type { Endpoint } from "../lib/client.ts";

export interface PhaseOptions {
  endpoint: Endpoint;
  /** The server's pid, for its CPU time and RSS. */
  serverPid: number;
  /** Operations in flight at once (HTTP requests or connect cycles). */
  concurrency: number;
  /** Unmeasured run before the window, so JIT tiers and pools are warm. */
  warmupMs: number;
  /** The measured window's time bound. */
  durationMs: number;
  /** The measured window's count bound. */
  maxOps: number;
  /** Sessions the hold phase opens and keeps (also the fan-out audience). */
  sessions: number;
  /** Server publishes the fan-out step times; 0 skips fan-out. */
  publishes: number;
  /** Longest wait for any single reply before it counts as an error. */
  timeoutMs: number;
}
