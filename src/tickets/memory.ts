/** The default store: a map in this process, swept of expired tickets on a timer. */
import { systemClock, type Clock } from "./clock.ts";
import type { ConsumeResult, PutResult, StoreLimits, TicketStore } from "./store.ts";
import type { TicketRecord } from "./ticket.ts";

/**
 * A tombstone is one number: the ticket's expiry in epoch ms, negated for a revoked ticket.
 * One exists per recently redeemed ticket, i.e. per recently opened session, so it is kept
 * as small as a Map entry can be: keyed by a number (see `fingerprint`), not the hash string.
 */
type Tombstone = number;

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Base64url characters read for a fingerprint: 5 × 6 = 30 bits, a small integer in JS. */
const FINGERPRINT_CHARS = 5;

/**
 * The first 30 bits of a ticket hash, as a number. SHA-256 output is uniform, so two live
 * tombstones share one with odds of about n / 2^30; a shared one can only make a refusal's
 * logged reason read "used" instead of "unknown". Which ticket is valid is decided by the
 * ticket map alone, keyed by the whole hash.
 */
function fingerprint(hash: string): number {
  let value = 0;
  for (let i = 0; i < FINGERPRINT_CHARS; i++)
    value = value * 64 + BASE64URL.indexOf(hash[i] ?? "A");
  return value;
}

export interface MemoryStoreOptions extends StoreLimits {
  clock?: Clock;
  /** How often expired entries are swept, in ms; 0 disables the timer (tests sweep by hand). */
  sweepIntervalMs?: number;
}

/**
 * Tickets live in one Map keyed by hash. `consume` reads and deletes with no `await` in
 * between, so the JavaScript event loop makes it atomic: of any number of parallel
 * upgrades with one ticket, exactly one sees the grant.
 *
 * Redeemed and revoked tickets leave a tombstone until they would have expired, so the log
 * can tell "used" from "unknown". Tombstones are bounded by the same cap, oldest dropped
 * first; a dropped tombstone only makes a later refusal read "unknown" instead of "used".
 */
export class MemoryTicketStore implements TicketStore {
  readonly kind = "memory";
  private readonly tickets = new Map<string, TicketRecord>();
  private readonly tombstones = new Map<number, Tombstone>();
  private readonly clock: Clock;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: MemoryStoreOptions) {
    this.clock = options.clock ?? systemClock;
    const every = options.sweepIntervalMs ?? 5_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref?.();
    }
  }

  async put(hash: string, record: TicketRecord): Promise<PutResult> {
    if (this.tickets.size >= this.options.maxTickets) this.sweep();
    if (this.tickets.size >= this.options.maxTickets) return { ok: false, reason: "full" };

    this.tickets.set(hash, record);
    return { ok: true };
  }

  async consume(hash: string): Promise<ConsumeResult> {
    const record = this.tickets.get(hash);
    if (record === undefined) {
      const stone = this.tombstones.get(fingerprint(hash));
      return {
        ok: false,
        reason: stone === undefined ? "unknown" : stone < 0 ? "revoked" : "used",
      };
    }

    this.tickets.delete(hash);
    if (record.expiresAt <= this.clock.now()) return { ok: false, reason: "expired" };

    this.bury(hash, "used", record.expiresAt);
    return { ok: true, grant: record };
  }

  async revokeSubject(subject: string): Promise<number> {
    let struck = 0;
    for (const [hash, record] of this.tickets) {
      if (record.subject !== subject) continue;
      this.tickets.delete(hash);
      this.bury(hash, "revoked", record.expiresAt);
      struck++;
    }
    return struck;
  }

  async outstanding(): Promise<number> {
    return this.tickets.size;
  }

  async isReady(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.tickets.clear();
    this.tombstones.clear();
  }

  /** Drops every expired ticket and tombstone. O(n), run off the request path. */
  sweep(): void {
    const now = this.clock.now();
    for (const [hash, record] of this.tickets)
      if (record.expiresAt <= now) this.tickets.delete(hash);
    for (const [print, stone] of this.tombstones)
      if (Math.abs(stone) <= now) this.tombstones.delete(print);
  }

  private bury(hash: string, reason: "used" | "revoked", expiresAt: number): void {
    if (this.tombstones.size >= this.options.maxTickets) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
    this.tombstones.set(fingerprint(hash), reason === "revoked" ? -expiresAt : expiresAt);
  }
}
