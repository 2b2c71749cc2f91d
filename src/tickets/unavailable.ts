/** The one error a persistent store rejects with when its backing service cannot answer. */

/**
 * `put` and `consume` report an unreachable backend as `{ ok: false, reason: "unavailable" }`.
 * `revokeSubject` and `outstanding` answer with a number, which has no room for a failure
 * (a revocation that silently struck nothing would be a lie), so they reject with this error.
 * Its message never carries a ticket, a hash or a connection secret.
 */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";

  constructor(
    readonly store: "sqlite" | "redis",
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${store} ticket store unavailable: ${detail}`, options);
  }
}
