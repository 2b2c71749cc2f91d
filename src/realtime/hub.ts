/**
 * The hub carries what must reach sessions wherever they are: publishes, presence queries,
 * session listings and revocations. `LocalHub` serves one node; `RedisHub` (redis-hub.ts)
 * spans every node sharing a Redis. Local delivery is always Bun's topic publish, done by the
 * node's own session registry (the `LocalNode`).
 */

/** How many sessions of one subject are subscribed to a channel. */
export interface SubjectCount {
  subject: string;
  sessions: number;
}

export interface Presence {
  /** Sessions subscribed, over every node that answered. */
  sessions: number;
  /** Sorted by subject; at most `MAX_PRESENCE_SUBJECTS`. */
  subjects: SubjectCount[];
  /** True when more subjects exist than were listed. */
  truncated: boolean;
}

export interface SessionInfo {
  session: string;
  subject: string;
  node: string;
  opened_at: string;
  expires_at: string;
  channels: string[];
}

export interface SessionQuery {
  subject?: string;
  /** Cursor: only sessions whose id sorts after this one. */
  after?: string;
  limit: number;
}

/** What one node offers the hub: its own sessions, nothing of other nodes. */
export interface LocalNode {
  /** Hands a serialized frame to the local subscribers of a channel. */
  deliver(channel: string, frame: string): void;
  presence(channel: string): Presence;
  /** Sessions sorted by id, after the cursor, at most `limit + 1` (so callers see a next page). */
  sessions(query: SessionQuery): Omit<SessionInfo, "node">[];
  /** Closes (4001) the subject's sessions whose ticket was presented at or before `before`. */
  closeSubject(subject: string, before: number): number;
  /** Closes (4001) one session; false when it is not on this node. */
  closeSession(id: string): boolean;
  /** Told when a cross-node operation failed in the background, for the metric. */
  hubFailed(op: string): void;
}

export interface Hub {
  readonly kind: "local" | "redis";
  /** This node's id, as listed by `GET /api/v1/sessions`. */
  readonly node: string;
  attach(local: LocalNode): void;
  /** A session's publish: delivered here at once, to other nodes in publish order. */
  publish(channel: string, frame: string): void;
  /** A server push: resolves once every node will receive it; rejects `HubUnavailableError`. */
  push(channel: string, frame: string): Promise<void>;
  presence(channel: string): Promise<Presence>;
  /** One page, at most `limit + 1` entries sorted by id. */
  sessions(query: SessionQuery): Promise<SessionInfo[]>;
  /** Closes the subject's sessions on every node; resolves with how many answered closed. */
  revokeSubject(subject: string): Promise<number>;
  revokeSession(id: string): Promise<boolean>;
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

/** Cross-node state cannot be reached; the HTTP layer answers 503. */
export class HubUnavailableError extends Error {
  override readonly name = "HubUnavailableError";
}

export const MAX_PRESENCE_SUBJECTS = 1000;

const detached: LocalNode = {
  deliver() {},
  presence: () => ({ sessions: 0, subjects: [], truncated: false }),
  sessions: () => [],
  closeSubject: () => 0,
  closeSession: () => false,
  hubFailed() {},
};

/** A fresh node id: short, random, safe inside a Redis channel name. */
export function newNodeId(): string {
  return "n_" + Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString("hex");
}

/** The hub of a single node: everything is local and nothing can be unavailable. */
export class LocalHub implements Hub {
  readonly kind = "local";
  readonly node = newNodeId();
  private local: LocalNode = detached;

  attach(local: LocalNode): void {
    this.local = local;
  }

  publish(channel: string, frame: string): void {
    this.local.deliver(channel, frame);
  }

  async push(channel: string, frame: string): Promise<void> {
    this.local.deliver(channel, frame);
  }

  async presence(channel: string): Promise<Presence> {
    return this.local.presence(channel);
  }

  async sessions(query: SessionQuery): Promise<SessionInfo[]> {
    return this.local.sessions(query).map((s) => ({ ...s, node: this.node }));
  }

  async revokeSubject(subject: string): Promise<number> {
    return this.local.closeSubject(subject, Date.now());
  }

  async revokeSession(id: string): Promise<boolean> {
    return this.local.closeSession(id);
  }

  async isReady(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.local = detached;
  }
}

/** Sums per-node presence answers; each node listed its first subjects in sorted order. */
export function mergePresence(answers: Presence[]): Presence {
  const counts = new Map<string, number>();
  let sessions = 0;
  let truncated = false;
  for (const answer of answers) {
    sessions += answer.sessions;
    truncated ||= answer.truncated;
    for (const { subject, sessions: n } of answer.subjects)
      counts.set(subject, (counts.get(subject) ?? 0) + n);
  }
  const subjects = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([subject, n]) => ({ subject, sessions: n }));
  if (subjects.length > MAX_PRESENCE_SUBJECTS) truncated = true;
  return { sessions, subjects: subjects.slice(0, MAX_PRESENCE_SUBJECTS), truncated };
}

/** Merges per-node pages (each sorted, each at most limit + 1) into one of at most limit + 1. */
export function mergeSessionPages(pages: SessionInfo[][], limit: number): SessionInfo[] {
  return pages
    .flat()
    .sort((a, b) => (a.session < b.session ? -1 : a.session > b.session ? 1 : 0))
    .slice(0, limit + 1);
}
