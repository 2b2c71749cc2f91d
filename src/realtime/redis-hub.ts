/**
 * The hub across nodes, over Redis pub/sub. Every node subscribes to one bus channel and to
 * a reply channel of its own:
 *
 *   P hub            `m <node> <channel>\n<frame>`: a publish, delivered by every other node
 *                    `q <node> <request>\n<json>`: a query (presence, sessions, revocation)
 *   P hub:<node>     `a <node> <request>\n<json>`: one node's answer to a query
 *   P nodes          sorted set node → last heartbeat (ms): who is expected to answer
 *   P revocations    sorted set `u:<subject>` | `s:<session>` → when (ms), kept one maximum
 *                    session age, so a node cut off from Redis catches up when it returns
 *
 * Queries are request/reply with a deadline: the asking node answers for itself directly,
 * then waits for every node whose heartbeat is fresh, or the deadline, whichever comes
 * first. A node that died stops heart-beating and drops out of `nodes` within `nodeTtlMs`;
 * until then a query waits for it up to the deadline and reports what the others said.
 * Publishes are at most once: a node whose subscriber is reconnecting misses them.
 */
import { isChannelName } from "../channels/grammar.ts";
import type { Logger } from "../observability/logger.ts";
import { HubUnavailableError, mergePresence, mergeSessionPages, newNodeId } from "./hub.ts";
import type { Hub, LocalNode, Presence, SessionInfo, SessionQuery } from "./hub.ts";
import { answerQuery, isAnswerTo, parseRevocations, type QueryOp } from "./redis-hub-wire.ts";
import { RedisBus } from "./redis-bus.ts";

export interface RedisHubOptions {
  url: string;
  /** Prefix of every key and channel, shared by the nodes of one deployment. */
  prefix: string;
  logger: Logger;
  /** How long revocations are replayed to nodes that return: the maximum session age (ms). */
  revocationRetentionMs: number;
  heartbeatMs?: number;
  nodeTtlMs?: number;
  queryTimeoutMs?: number;
  commandTimeoutMs?: number;
}

const DEFAULT_HEARTBEAT_MS = 2_000;
/** Three missed heartbeats and a node is taken for dead. */
const DEFAULT_NODE_TTL_MS = 6_000;
const DEFAULT_QUERY_TIMEOUT_MS = 1_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
/** Clock skew tolerated between nodes when a returning node replays revocations. */
const REPLAY_MARGIN_MS = 5_000;
const NODE_ID = /^n_[0-9a-f]{16}$/;

type Pending = { waiting: Set<string>; answers: unknown[]; done: () => void };

export class RedisHub implements Hub {
  readonly kind = "redis";
  readonly node = newNodeId();
  private local: LocalNode | undefined;
  private bus!: RedisBus;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly busChannel: string;
  private readonly nodesKey: string;
  private readonly revocationsKey: string;
  private readonly heartbeatMs: number;
  private readonly nodeTtlMs: number;
  private readonly queryTimeoutMs: number;
  private healthy = true;

  private constructor(private readonly options: RedisHubOptions) {
    this.busChannel = `${options.prefix}hub`;
    this.nodesKey = `${options.prefix}nodes`;
    this.revocationsKey = `${options.prefix}revocations`;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.nodeTtlMs = options.nodeTtlMs ?? DEFAULT_NODE_TTL_MS;
    this.queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  }

  /** Connects, subscribes and announces this node; throws one line when Redis is unusable. */
  static async start(options: RedisHubOptions): Promise<RedisHub> {
    const hub = new RedisHub(options);
    hub.bus = await RedisBus.open({
      url: options.url,
      channels: [hub.busChannel, hub.replyChannel(hub.node)],
      onMessage: (message) => hub.receive(message),
      onResubscribed: (since) => void hub.catchUp(since),
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      logger: options.logger,
    });
    await hub.heartbeat();
    hub.timer = setInterval(() => void hub.heartbeat(), hub.heartbeatMs);
    hub.timer.unref?.();
    return hub;
  }

  attach(local: LocalNode): void {
    this.local = local;
  }

  publish(channel: string, frame: string): void {
    this.local?.deliver(channel, frame);
    // Sent without waiting: one connection keeps a publisher's messages in order.
    this.broadcast(channel, frame).catch(() => this.local?.hubFailed("publish"));
  }

  async push(channel: string, frame: string): Promise<void> {
    await this.broadcast(channel, frame);
    this.local?.deliver(channel, frame);
  }

  async presence(channel: string): Promise<Presence> {
    const remote = await this.ask("presence", { channel });
    const here = this.local?.presence(channel) ?? { sessions: 0, subjects: [], truncated: false };
    return mergePresence([here, ...(remote as Presence[])]);
  }

  async sessions(query: SessionQuery): Promise<SessionInfo[]> {
    const remote = await this.ask("sessions", query);
    const here = (this.local?.sessions(query) ?? []).map((s) => ({ ...s, node: this.node }));
    return mergeSessionPages([here, ...(remote as SessionInfo[][])], query.limit);
  }

  async revokeSubject(subject: string): Promise<number> {
    const now = Date.now();
    const here = this.local?.closeSubject(subject, now) ?? 0;
    await this.bus.send("ZADD", [this.revocationsKey, String(now), `u:${subject}`]);
    const remote = (await this.ask("revokeSubject", { subject })) as number[];
    return remote.reduce((sum, n) => sum + n, here);
  }

  async revokeSession(id: string): Promise<boolean> {
    if (this.local?.closeSession(id)) return true;
    await this.bus.send("ZADD", [this.revocationsKey, String(Date.now()), `s:${id}`]);
    const remote = (await this.ask("revokeSession", { session: id })) as boolean[];
    return remote.includes(true);
  }

  async isReady(): Promise<boolean> {
    return this.bus.send("PING", []).then(
      (reply) => reply === "PONG",
      () => false,
    );
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const pending of this.pending.values()) pending.done();
    await this.bus.send("ZREM", [this.nodesKey, this.node]).catch(() => {});
    this.bus.close();
    this.local = undefined;
  }

  /**
   * Publishes a query, answers nothing itself (callers add their own node's answer), and
   * collects the other live nodes' answers, checked for shape, until all came or time is up.
   */
  private async ask(op: QueryOp, args: unknown): Promise<unknown[]> {
    const fresh = String(Date.now() - this.nodeTtlMs);
    const listed = await this.bus.send("ZRANGEBYSCORE", [this.nodesKey, fresh, "+inf"]);
    if (!Array.isArray(listed)) throw new HubUnavailableError("unexpected reply listing nodes");
    const others = listed.filter(
      (n): n is string => typeof n === "string" && n !== this.node && NODE_ID.test(n),
    );

    const request = crypto.randomUUID();
    const answers: unknown[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waiting = new Set(others);
    const finished = new Promise<void>((done) =>
      this.pending.set(request, { waiting, answers, done }),
    );
    const deadline = new Promise<void>((done) => {
      timer = setTimeout(done, this.queryTimeoutMs);
    });
    try {
      // Revocations go out even when no other node is listed: one may be starting up.
      const query = `q ${this.node} ${request}\n${JSON.stringify({ op, args })}`;
      await this.bus.send("PUBLISH", [this.busChannel, query]);
      if (others.length > 0) await Promise.race([finished, deadline]);
      return answers.filter((answer) => isAnswerTo(op, answer));
    } finally {
      clearTimeout(timer);
      this.pending.delete(request);
    }
  }

  private broadcast(channel: string, frame: string): Promise<unknown> {
    return this.bus.send("PUBLISH", [this.busChannel, `m ${this.node} ${channel}\n${frame}`]);
  }

  private receive(message: string): void {
    const newline = message.indexOf("\n");
    if (newline < 0) return;
    const [kind, origin, extra] = message.slice(0, newline).split(" ");
    const body = message.slice(newline + 1);
    if (
      origin === undefined ||
      origin === this.node ||
      !NODE_ID.test(origin) ||
      extra === undefined
    )
      return;

    try {
      if (kind === "m" && isChannelName(extra)) this.local?.deliver(extra, body);
      else if (kind === "q") this.reply(origin, extra, body);
      else if (kind === "a") this.collect(origin, extra, body);
    } catch (error) {
      this.options.logger.warn("redis hub message refused", { kind, error });
    }
  }

  private reply(origin: string, request: string, body: string): void {
    if (!this.local) return;
    const answer = answerQuery(this.local, this.node, JSON.parse(body));
    if (answer === undefined) return;
    const text = `a ${this.node} ${request}\n${JSON.stringify(answer)}`;
    this.bus
      .send("PUBLISH", [this.replyChannel(origin), text])
      .catch(() => this.local?.hubFailed("reply"));
  }

  private collect(origin: string, request: string, body: string): void {
    const pending = this.pending.get(request);
    if (!pending || !pending.waiting.delete(origin)) return;
    pending.answers.push(JSON.parse(body));
    if (pending.waiting.size === 0) pending.done();
  }

  private async heartbeat(): Promise<void> {
    await this.bus.maintain();
    const now = Date.now();
    try {
      await this.bus.send("ZADD", [this.nodesKey, String(now), this.node]);
      const retention = this.options.revocationRetentionMs;
      await this.bus.send("ZREMRANGEBYSCORE", [
        this.nodesKey,
        "-inf",
        String(now - this.nodeTtlMs),
      ]);
      await this.bus.send("ZREMRANGEBYSCORE", [
        this.revocationsKey,
        "-inf",
        String(now - retention),
      ]);
      // Both sets vanish by themselves once every node of a deployment is gone.
      await this.bus.send("PEXPIRE", [this.nodesKey, String(this.nodeTtlMs * 2)]);
      await this.bus.send("PEXPIRE", [this.revocationsKey, String(retention)]);
      if (!this.healthy) this.options.logger.info("redis hub healthy again", { node: this.node });
      this.healthy = true;
    } catch (error) {
      if (this.healthy)
        this.options.logger.warn("redis hub heartbeat failed", { node: this.node, error });
      this.healthy = false;
      this.local?.hubFailed("heartbeat");
    }
  }

  /** After a gap in the subscription: apply the revocations this node may have missed. */
  private async catchUp(since: number): Promise<void> {
    try {
      const from = String(since - REPLAY_MARGIN_MS);
      const reply = await this.bus.send("ZRANGEBYSCORE", [
        this.revocationsKey,
        from,
        "+inf",
        "WITHSCORES",
      ]);
      for (const entry of parseRevocations(reply)) {
        if (entry.kind === "subject") this.local?.closeSubject(entry.id, entry.at);
        else this.local?.closeSession(entry.id);
      }
    } catch (error) {
      this.options.logger.warn("redis hub catch-up failed", { error });
      this.local?.hubFailed("catch_up");
    }
  }

  private replyChannel(node: string): string {
    return `${this.options.prefix}hub:${node}`;
  }
}
