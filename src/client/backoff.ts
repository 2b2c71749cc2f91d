/** Reconnect delays: exponential growth, capped, with full jitter; and the wait itself. */

export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in milliseconds. Default 500. */
  initialDelayMs: number;
  /** Largest ceiling any retry's delay may have, in milliseconds. Default 30 000. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 30_000 };

/** Doubling stops here; 2^20 times any sane initial delay is far past any cap. */
const MAX_EXPONENT = 20;

/**
 * The delay before retry number `attempt` (0 for the first retry): a uniformly random
 * value between 0 and `min(maxDelayMs, initialDelayMs * 2^attempt)`. Full jitter spreads
 * a crowd of clients that lost the same server over the whole window, instead of sending
 * them back in synchronized waves.
 *
 * @example
 * ```ts
 * backoffDelay(3, { initialDelayMs: 500, maxDelayMs: 30_000 }); // somewhere in [0, 4000)
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt), MAX_EXPONENT);
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** A wait between attempts that `close()` can cut short. */
export class Sleeper {
  #wake: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  wake(): void {
    this.#wake?.();
  }
}
