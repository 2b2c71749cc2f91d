/**
 * A closed-loop driver: a fixed number of workers each run one operation at a time, back
 * to back. Fixed concurrency keeps servers comparable (an open loop would measure queueing
 * instead), and every run stops at whichever comes first of its count and its deadline.
 */

export interface LoopOptions {
  /** Operations in flight at once. */
  concurrency: number;
  /** No operation starts after this many milliseconds. */
  durationMs: number;
  /** No operation starts once this many have started. */
  maxOps: number;
  /** The run gives up early after this many failures, so a broken server fails fast. */
  maxErrors?: number;
}

export interface LoopResult {
  ok: number;
  errors: number;
  /** Wall time from the first start to the last completion. */
  elapsedMs: number;
  /** Latency of each successful operation, in milliseconds. */
  latenciesMs: number[];
  /** The first few distinct error messages, for the report. */
  errorSamples: string[];
}

const ERROR_SAMPLES = 3;

/** Runs `op(i)` for i = 0, 1, … under the options above. */
export async function runClosedLoop(
  options: LoopOptions,
  op: (index: number) => Promise<void>,
): Promise<LoopResult> {
  const maxErrors = options.maxErrors ?? Math.max(50, options.maxOps / 10);
  const started = performance.now();
  const deadline = started + options.durationMs;
  const result: LoopResult = { ok: 0, errors: 0, elapsedMs: 0, latenciesMs: [], errorSamples: [] };
  let next = 0;

  const worker = async () => {
    while (next < options.maxOps && performance.now() < deadline && result.errors < maxErrors) {
      const index = next++;
      const t0 = performance.now();
      try {
        await op(index);
        result.latenciesMs.push(performance.now() - t0);
        result.ok++;
      } catch (error) {
        result.errors++;
        const message = error instanceof Error ? error.message : String(error);
        const isNew = !result.errorSamples.includes(message);
        if (isNew && result.errorSamples.length < ERROR_SAMPLES) result.errorSamples.push(message);
      }
    }
  };

  const workers = Math.max(1, Math.min(options.concurrency, options.maxOps));
  await Promise.all(Array.from({ length: workers }, worker));
  result.elapsedMs = performance.now() - started;
  return result;
}

/** Resolves after `ms` milliseconds; used for settling, never to wait for a result. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects with `message` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
