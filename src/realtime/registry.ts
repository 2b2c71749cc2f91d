/**
 * The live sessions of this node: a table by session id and a count per subject, nothing
 * per subscription (Bun keeps topics natively; presence asks each socket on demand, which
 * costs an admin query a pass over the sessions instead of costing every session memory).
 *
 * One interval, started while sessions exist, closes sessions past their maximum age (4002)
 * and consumers whose outgoing buffer reached the limit (4003); no per-session timers.
 */
import type { Server } from "bun";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import type { Clock } from "../tickets/clock.ts";
import { CloseCode } from "../wire/protocol.ts";
import { CloseReason } from "./close-codes.ts";
import { MAX_PRESENCE_SUBJECTS, type LocalNode, type Presence } from "./hub.ts";
import type { SessionInfo, SessionQuery } from "./hub.ts";
import type { SessionData } from "./session-data.ts";
import { SessionTable } from "./session-table.ts";
import type { Socket } from "./session.ts";

export interface RegistryDeps {
  maxSessionsPerSubject: number;
  /** Outgoing bytes queued for one session at which it counts as a slow consumer. */
  backpressureLimit: number;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
}

const SWEEP_INTERVAL_MS = 1_000;
/**
 * How long a subject's revocation keeps refusing sessions whose ticket was presented before
 * it: longer than any upgrade can take (the store's own deadline is a few seconds).
 */
const REVOCATION_GUARD_MS = 30_000;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class SessionRegistry implements LocalNode {
  private readonly live = new SessionTable();
  private readonly perSubject = new Map<string, number>();
  /** Wall-clock ms of the latest revocation of each subject, kept for `REVOCATION_GUARD_MS`. */
  private readonly revokedAt = new Map<string, number>();
  private server: Server<SessionData> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: RegistryDeps) {}

  get size(): number {
    return this.live.size;
  }

  /** The server whose topics local delivery publishes to; known from the first request. */
  bind(server: Server<SessionData>): void {
    this.server = server;
  }

  /** The gateway's session cap: a refusal detail, or null to admit one more session. */
  admit(subject: string): string | null {
    const held = this.perSubject.get(subject) ?? 0;
    if (held < this.deps.maxSessionsPerSubject) return null;
    return `This subject already holds its maximum of ${this.deps.maxSessionsPerSubject} sessions on this node.`;
  }

  /**
   * Registers a session that just opened. Bun runs `open` inside `server.upgrade`, right
   * after `admit`, so the cap cannot be overtaken in between. False when a revocation
   * recorded after the ticket was presented already covers the session.
   */
  add(ws: Socket): boolean {
    const d = ws.data;
    const revoked = this.revokedAt.get(d.subject);
    if (revoked !== undefined && d.openedAt <= revoked) return false;

    this.live.add(ws);
    this.perSubject.set(d.subject, (this.perSubject.get(d.subject) ?? 0) + 1);
    this.deps.metrics.sessionsLive.add(1);
    this.timer ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref?.();
    return true;
  }

  remove(ws: Socket): void {
    const d = ws.data;
    if (!this.live.remove(ws)) return;
    const left = (this.perSubject.get(d.subject) ?? 1) - 1;
    if (left > 0) this.perSubject.set(d.subject, left);
    else this.perSubject.delete(d.subject);
    this.deps.metrics.sessionsLive.add(-1);
  }

  deliver(channel: string, frame: string): void {
    const server = this.server;
    const reached = server ? server.subscriberCount(channel) : 0;
    this.deps.metrics.publishFanout.observe(reached);
    if (!server || reached === 0) return;

    this.deps.metrics.messagesOut.inc({}, reached);
    // 0: Bun dropped the frame for at least one subscriber whose buffer is full.
    if (server.publish(channel, frame) === 0) this.closeSlowConsumers(channel);
  }

  presence(channel: string): Presence {
    if (!this.server || this.server.subscriberCount(channel) === 0)
      return { sessions: 0, subjects: [], truncated: false };

    const counts = new Map<string, number>();
    let sessions = 0;
    for (const ws of this.live.values()) {
      if (!ws.isSubscribed(channel)) continue;
      sessions++;
      counts.set(ws.data.subject, (counts.get(ws.data.subject) ?? 0) + 1);
    }
    const subjects = [...counts.keys()].sort(byText);
    return {
      sessions,
      subjects: subjects
        .slice(0, MAX_PRESENCE_SUBJECTS)
        .map((subject) => ({ subject, sessions: counts.get(subject)! })),
      truncated: subjects.length > MAX_PRESENCE_SUBJECTS,
    };
  }

  sessions(query: SessionQuery): Omit<SessionInfo, "node">[] {
    const picked: Socket[] = [];
    for (const ws of this.live.values()) {
      const d = ws.data;
      if (query.subject !== undefined && d.subject !== query.subject) continue;
      if (query.after !== undefined && d.id <= query.after) continue;
      picked.push(ws);
    }
    picked.sort((a, b) => byText(a.data.id, b.data.id));
    return picked.slice(0, query.limit + 1).map((ws) => ({
      session: ws.data.id,
      subject: ws.data.subject,
      opened_at: new Date(ws.data.openedAt).toISOString(),
      expires_at: new Date(ws.data.expiresAt).toISOString(),
      channels: ws.subscriptions,
    }));
  }

  closeSubject(subject: string, before: number): number {
    this.forgetOldRevocations();
    this.revokedAt.set(subject, Math.max(before, this.revokedAt.get(subject) ?? 0));
    if (!this.perSubject.has(subject)) return 0;

    let closed = 0;
    for (const ws of this.live.values()) {
      if (ws.data.subject !== subject || ws.data.openedAt > before) continue;
      ws.close(CloseCode.revoked, CloseReason.revoked);
      closed++;
    }
    return closed;
  }

  closeSession(id: string): boolean {
    const ws = this.live.get(id);
    if (!ws) return false;
    ws.close(CloseCode.revoked, CloseReason.revoked);
    return true;
  }

  hubFailed(op: string): void {
    this.deps.metrics.hubFailures.inc({ op });
  }

  /** Closes sessions past their maximum age and slow consumers; stops itself when idle. */
  sweep(): void {
    const now = this.deps.clock.now();
    for (const ws of this.live.values()) {
      if (ws.data.expiresAt <= now) ws.close(CloseCode.sessionExpired, CloseReason.sessionExpired);
      else if (ws.getBufferedAmount() >= this.deps.backpressureLimit) this.closeSlow(ws);
    }
    this.forgetOldRevocations();
    if (this.live.size === 0) this.stopSweeping();
  }

  /** Stops the sweep; the sessions themselves end with the server (1001). */
  close(): void {
    this.stopSweeping();
  }

  private closeSlowConsumers(channel: string): void {
    for (const ws of this.live.values()) {
      if (ws.isSubscribed(channel) && ws.getBufferedAmount() >= this.deps.backpressureLimit)
        this.closeSlow(ws);
    }
  }

  private closeSlow(ws: Socket): void {
    const { id: session, subject } = ws.data;
    this.deps.logger.info("slow consumer closed", {
      session,
      subject,
      buffered: ws.getBufferedAmount(),
    });
    ws.close(CloseCode.slowConsumer, CloseReason.slowConsumer);
  }

  private forgetOldRevocations(): void {
    const horizon = Date.now() - REVOCATION_GUARD_MS;
    for (const [subject, at] of this.revokedAt) if (at < horizon) this.revokedAt.delete(subject);
  }

  private stopSweeping(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
