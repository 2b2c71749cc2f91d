/** A ticket store in one SQLite file, for tickets that survive a restart of the gateway. */
import { Database, type Statement } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { systemClock, type Clock } from "./clock.ts";
import type { ConsumeResult, PutResult, StoreLimits, TicketStore } from "./store.ts";
import { isChannelGrantList, isMetadata, toGrant } from "./stored-grant.ts";
import type { TicketGrant, TicketRecord } from "./ticket.ts";
import { StoreUnavailableError } from "./unavailable.ts";

export interface SqliteStoreOptions extends StoreLimits {
  /** Database file; its folder is created when missing. `:memory:` works for tests. */
  path: string;
  clock?: Clock;
  /** How often expired rows are swept, in ms; 0 disables the timer. Default 5000. */
  sweepIntervalMs?: number;
  /** How long a statement waits for another process's write lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
}

/** Rows deleted per sweep statement: keeps each write lock short for a second process. */
const SWEEP_BATCH_ROWS = 500;
const DEFAULT_SWEEP_INTERVAL_MS = 5_000;
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const SCHEMA_VERSION = 1;

/**
 * Tickets live in `ticket_grants`, keyed by hash; tombstones of used and revoked tickets live
 * in `ticket_tombstones` until the ticket would have expired. `ticket_count` mirrors the number
 * of grant rows through triggers, so the cap check reads one row instead of counting.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ticket_grants (
  hash TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  channels TEXT NOT NULL,
  metadata TEXT,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ticket_grants_expires_at ON ticket_grants (expires_at);
CREATE INDEX IF NOT EXISTS ticket_grants_subject ON ticket_grants (subject);
CREATE TABLE IF NOT EXISTS ticket_tombstones (
  hash TEXT PRIMARY KEY,
  reason TEXT NOT NULL CHECK (reason IN ('used', 'revoked')),
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ticket_tombstones_expires_at ON ticket_tombstones (expires_at);
CREATE TABLE IF NOT EXISTS ticket_count (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO ticket_count (id, n) SELECT 1, count(*) FROM ticket_grants;
CREATE TRIGGER IF NOT EXISTS ticket_grants_counted_in AFTER INSERT ON ticket_grants
  BEGIN UPDATE ticket_count SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS ticket_grants_counted_out AFTER DELETE ON ticket_grants
  BEGIN UPDATE ticket_count SET n = n - 1 WHERE id = 1; END;
`;

type GrantRow = { subject: string; channels: string; metadata: string | null; expires_at: number };
type Taken =
  | { kind: "grant"; row: GrantRow }
  | { kind: "refused"; reason: "unknown" | "expired" | "used" | "revoked" };

/**
 * Consumption is the single statement `DELETE … RETURNING`: of any number of attempts, in
 * this process or another one sharing the file, exactly one gets the row back. It runs in a
 * `BEGIN IMMEDIATE` transaction together with the tombstone it leaves, so a loser always reads
 * `used`, never a transient `unknown`.
 *
 * bun:sqlite is synchronous: a statement waiting on another process's lock blocks this event
 * loop for up to `busyTimeoutMs`. Sweeps delete in small batches to keep such waits short.
 */
export class SqliteTicketStore implements TicketStore {
  readonly kind = "sqlite";
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly putTx: (hash: string, record: TicketRecord, now: number) => boolean;
  private readonly consumeTx: (hash: string, now: number) => Taken;
  private readonly revokeTx: (subject: string, now: number) => number;
  private closed = false;
  private sweeping = false;

  constructor(private readonly options: SqliteStoreOptions) {
    this.clock = options.clock ?? systemClock;
    this.db = openDatabase(options.path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    const s = (this.statements = prepareStatements(this.db));

    this.putTx = this.db.transaction((hash: string, record: TicketRecord, now: number) => {
      if (this.countGrants() >= options.maxTickets) s.deleteExpiredGrants.run(now);
      if (this.countGrants() >= options.maxTickets) return false;

      const metadata = record.metadata === undefined ? null : JSON.stringify(record.metadata);
      s.insertGrant.run(
        hash,
        record.subject,
        JSON.stringify(record.channels),
        metadata,
        record.expiresAt,
      );
      return true;
    }).immediate;

    this.consumeTx = this.db.transaction((hash: string, now: number): Taken => {
      const row = s.takeGrant.get(hash);
      if (row === null)
        return { kind: "refused", reason: s.readTombstone.get(hash)?.reason ?? "unknown" };
      if (row.expires_at <= now) return { kind: "refused", reason: "expired" };

      s.buryTicket.run(hash, "used", row.expires_at);
      return { kind: "grant", row };
    }).immediate;

    this.revokeTx = this.db.transaction((subject: string, now: number) => {
      s.buryRevoked.run(subject, now);
      return s.deleteSubjectGrants.run(subject, now).changes;
    }).immediate;

    const every = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => void this.sweepAll(), every);
      this.timer.unref?.();
    }
  }

  async put(hash: string, record: TicketRecord): Promise<PutResult> {
    try {
      return this.putTx(hash, record, this.clock.now())
        ? { ok: true }
        : { ok: false, reason: "full" };
    } catch {
      // SQLITE_BUSY after the busy timeout, a full disk, a closed store or a duplicate hash.
      return { ok: false, reason: "unavailable" };
    }
  }

  async consume(hash: string): Promise<ConsumeResult> {
    let taken: Taken;
    try {
      taken = this.consumeTx(hash, this.clock.now());
    } catch {
      return { ok: false, reason: "unavailable" };
    }
    if (taken.kind === "refused") return { ok: false, reason: taken.reason };

    // Parsed after the commit: a corrupt row is consumed and refused, never left redeemable.
    const grant = parseGrant(taken.row);
    return grant ? { ok: true, grant } : { ok: false, reason: "unavailable" };
  }

  async revokeSubject(subject: string): Promise<number> {
    try {
      return this.revokeTx(subject, this.clock.now());
    } catch (error) {
      throw new StoreUnavailableError("sqlite", "revocation failed", { cause: error });
    }
  }

  async outstanding(): Promise<number> {
    try {
      return this.statements.countLive.get(this.clock.now())?.n ?? 0;
    } catch (error) {
      throw new StoreUnavailableError("sqlite", "count failed", { cause: error });
    }
  }

  async isReady(): Promise<boolean> {
    if (this.closed) return false;
    try {
      // Reads the file, not only the connection: a deleted or corrupt file fails here.
      return this.statements.countAll.get() !== null;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.db.close();
  }

  /**
   * Deletes one batch of expired grants and one of expired tombstones; returns the rows
   * removed. Each batch is its own short statement.
   */
  sweep(): number {
    const now = this.clock.now();
    const s = this.statements;
    return (
      s.sweepGrants.run(now, SWEEP_BATCH_ROWS).changes +
      s.sweepTombstones.run(now, SWEEP_BATCH_ROWS).changes
    );
  }

  /** Sweeps batch after batch, yielding to the event loop between them, until none is full. */
  private async sweepAll(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      while (!this.closed && this.sweep() > 0)
        await new Promise((resolve) => setImmediate(resolve));
    } catch {
      // A busy or failing file is retried on the next tick; requests report it on their own.
    } finally {
      this.sweeping = false;
    }
  }

  private countGrants(): number {
    return this.statements.countAll.get()?.n ?? 0;
  }
}

/** Opens the file with the pragmas in the order that matters, and lays out the schema. */
function openDatabase(path: string, busyTimeoutMs: number): Database {
  const inMemory = path === ":memory:" || path === "";
  if (!inMemory) createPrivateFile(path);

  const db = new Database(path, { create: true, strict: true });
  try {
    // busy_timeout first: switching to WAL takes a lock another process may hold.
    db.run(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    if (!inMemory) db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    db.transaction(() => {
      const version =
        db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
      if (version > SCHEMA_VERSION)
        throw new Error(`ticket schema version ${version} is newer than this build`);
      db.run(SCHEMA);
      db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Creates the folder and an empty file readable by this user only; the WAL files follow its mode. */
function createPrivateFile(path: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
}

function prepareStatements(db: Database) {
  return {
    insertGrant: db.prepare<void, [string, string, string, string | null, number]>(
      "INSERT INTO ticket_grants (hash, subject, channels, metadata, expires_at) VALUES (?, ?, ?, ?, ?)",
    ),
    takeGrant: db.prepare<GrantRow, [string]>(
      "DELETE FROM ticket_grants WHERE hash = ? RETURNING subject, channels, metadata, expires_at",
    ),
    readTombstone: db.prepare<{ reason: "used" | "revoked" }, [string]>(
      "SELECT reason FROM ticket_tombstones WHERE hash = ?",
    ),
    buryTicket: db.prepare<void, [string, "used" | "revoked", number]>(
      "INSERT OR REPLACE INTO ticket_tombstones (hash, reason, expires_at) VALUES (?, ?, ?)",
    ),
    buryRevoked: db.prepare<void, [string, number]>(
      `INSERT OR REPLACE INTO ticket_tombstones (hash, reason, expires_at)
       SELECT hash, 'revoked', expires_at FROM ticket_grants WHERE subject = ? AND expires_at > ?`,
    ),
    deleteSubjectGrants: db.prepare<void, [string, number]>(
      "DELETE FROM ticket_grants WHERE subject = ? AND expires_at > ?",
    ),
    deleteExpiredGrants: db.prepare<void, [number]>(
      "DELETE FROM ticket_grants WHERE expires_at <= ?",
    ),
    sweepGrants: db.prepare<void, [number, number]>(
      `DELETE FROM ticket_grants WHERE hash IN
       (SELECT hash FROM ticket_grants WHERE expires_at <= ? LIMIT ?)`,
    ),
    sweepTombstones: db.prepare<void, [number, number]>(
      `DELETE FROM ticket_tombstones WHERE hash IN
       (SELECT hash FROM ticket_tombstones WHERE expires_at <= ? LIMIT ?)`,
    ),
    countAll: db.prepare<{ n: number }, []>("SELECT n FROM ticket_count WHERE id = 1"),
    countLive: db.prepare<{ n: number }, [number]>(
      "SELECT count(*) AS n FROM ticket_grants WHERE expires_at > ?",
    ),
  };
}

/** Reads a row back into a grant; `undefined` when the stored JSON is not what was written. */
function parseGrant(row: GrantRow): TicketGrant | undefined {
  try {
    const channels: unknown = JSON.parse(row.channels);
    const metadata: unknown = row.metadata === null ? undefined : JSON.parse(row.metadata);
    if (!isChannelGrantList(channels)) return undefined;
    if (metadata !== undefined && !isMetadata(metadata)) return undefined;
    return toGrant(row.subject, channels, metadata);
  } catch {
    return undefined;
  }
}
