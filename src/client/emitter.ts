/** A small typed event emitter: one listener's exception never stops the others. */

export type Listener<T> = (payload: T) => void;

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) callSafely(listener as Listener<Events[K]>, payload);
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}

/**
 * Calls app code from inside the SDK's loop. An exception is rethrown on a fresh task, so
 * it still reaches the runtime's error reporting, but the connection logic goes on.
 */
export function callSafely<T>(fn: Listener<T>, payload: T): void {
  try {
    fn(payload);
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}
