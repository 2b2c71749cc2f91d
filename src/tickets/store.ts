/** The one interface every ticket store implements, and the results it speaks in. */
import type { TicketGrant, TicketRecord } from "./ticket.ts";

export type PutResult = { ok: true } | { ok: false; reason: "full" | "unavailable" };

export type ConsumeFailure = "unknown" | "expired" | "used" | "revoked" | "unavailable";

export type ConsumeResult =
  { ok: true; grant: TicketGrant } | { ok: false; reason: ConsumeFailure };

/**
 * Keeps ticket grants under the SHA-256 of the ticket. Every method is async so that
 * memory, SQLite and Redis share one contract; `consume` is the single atomic step that
 * makes a ticket single-use, also under concurrent attempts and across nodes.
 */
export interface TicketStore {
  readonly kind: "memory" | "sqlite" | "redis";
  /** Stores a grant; refuses with `full` when the outstanding-ticket cap is reached. */
  put(hash: string, record: TicketRecord): Promise<PutResult>;
  /** Atomically takes the grant out, so that exactly one caller ever receives it. */
  consume(hash: string): Promise<ConsumeResult>;
  /** Makes every unredeemed ticket of a subject unusable; returns how many it struck. */
  revokeSubject(subject: string): Promise<number>;
  /** Number of tickets minted and neither redeemed nor expired (approximate where swept lazily). */
  outstanding(): Promise<number>;
  /** Whether the backing service answers; feeds `/readyz`. */
  isReady(): Promise<boolean>;
  /** Releases timers, files and connections. */
  close(): Promise<void>;
}

/** Settings shared by every store. */
export interface StoreLimits {
  /** Cap on outstanding tickets; a full store refuses new ones instead of growing. */
  maxTickets: number;
}
