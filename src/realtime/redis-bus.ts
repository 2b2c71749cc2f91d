/**
 * The two Redis connections of a hub: one for commands (publish, heartbeats, the node and
 * revocation sets) and one `duplicate()`d subscriber, which can run nothing else.
 *
 * Bun 1.4.4's client quirks shape this file (see NOTES.md): after an automatic reconnect
 * the subscriber's channels are not restored, and subscribing again without unsubscribing
 * first delivers every message twice; after ~20 failed retries a client gives up for good
 * and must be replaced; and after `unsubscribe([...])`, `subscribe([...], fn)` with the
 * same array subscribes on the server but never calls `fn` (channel by channel works).
 * So `onconnect` (which fires on reconnects) unsubscribes then subscribes again, one
 * channel at a time; `onclose` drops a client that gave up; and `maintain()`, called on
 * every heartbeat, replaces what was dropped.
 */
import type { RedisClient } from "bun";
import type { Logger } from "../observability/logger.ts";
import {
  connectRedis,
  describeError,
  redisAddress,
  withDeadline,
} from "../tickets/redis-connection.ts";
import { HubUnavailableError } from "./hub.ts";

export interface RedisBusOptions {
  url: string;
  /** Channels the subscriber listens to. */
  channels: string[];
  onMessage: (message: string, channel: string) => void;
  /**
   * Runs after the subscriber was re-established following a gap: `since` is the last
   * instant (epoch ms) it was known to be subscribed, so missed state can be caught up.
   */
  onResubscribed: (since: number) => void;
  commandTimeoutMs: number;
  logger: Logger;
}

export class RedisBus {
  private command: RedisClient | undefined;
  private subscriber: RedisClient | undefined;
  /** Last time the subscriber was seen connected; where a catch-up after a gap starts. */
  private healthyAt = 0;
  private closed = false;
  private repairing: Promise<void> | undefined;

  private constructor(private readonly options: RedisBusOptions) {}

  /** Connects both clients and subscribes; throws one line naming `host:port` on failure. */
  static async open(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    try {
      await bus.connectCommand();
      await bus.connectSubscriber();
    } catch (error) {
      bus.close();
      throw new Error(
        `cannot start the redis hub at ${redisAddress(options.url)} (${describeError(error)})`,
      );
    }
    return bus;
  }

  get isSubscribed(): boolean {
    return this.subscriber?.connected === true;
  }

  /** Runs one command within the deadline; any failure is a `HubUnavailableError`. */
  async send(command: string, args: string[]): Promise<unknown> {
    const client = this.command;
    if (!client?.connected) throw new HubUnavailableError("redis is not connected");
    try {
      return await withDeadline(client.send(command, args), this.options.commandTimeoutMs, command);
    } catch (error) {
      throw new HubUnavailableError(`redis ${command} failed (${describeError(error)})`);
    }
  }

  /** Replaces clients that gave up; notes the subscriber's health. Never throws. */
  async maintain(): Promise<void> {
    if (this.closed) return;
    if (this.subscriber?.connected) this.healthyAt = Date.now();
    if (this.command && this.subscriber) return;

    this.repairing ??= this.repair().finally(() => {
      this.repairing = undefined;
    });
    await this.repairing;
  }

  close(): void {
    this.closed = true;
    this.command?.close();
    this.subscriber?.close();
    this.command = undefined;
    this.subscriber = undefined;
  }

  private async repair(): Promise<void> {
    try {
      if (!this.command) await this.connectCommand();
      if (!this.subscriber) {
        await this.connectSubscriber();
        this.caughtUp();
      }
    } catch (error) {
      this.options.logger.warn("redis hub reconnect failed", { error: describeError(error) });
    }
  }

  private async connectCommand(): Promise<void> {
    const client = await connectRedis(this.options.url, {
      autoReconnect: true,
      enableOfflineQueue: false,
      timeoutMs: this.options.commandTimeoutMs,
    });
    client.onclose = () => this.dropped(client, "command");
    if (this.closed) client.close();
    else this.command = client;
  }

  private async connectSubscriber(): Promise<void> {
    const command = this.command;
    if (!command) throw new HubUnavailableError("no command connection");
    const client = await withDeadline(
      command.duplicate(),
      this.options.commandTimeoutMs,
      "duplicate",
    );
    try {
      await this.subscribeAll(client);
    } catch (error) {
      client.close();
      throw error;
    }
    client.onconnect = () => void this.resubscribe(client);
    client.onclose = () => this.dropped(client, "subscriber");
    if (this.closed) {
      client.close();
      return;
    }
    this.subscriber = client;
    this.healthyAt = Date.now();
  }

  private async subscribeAll(client: RedisClient): Promise<void> {
    const { channels, onMessage, commandTimeoutMs } = this.options;
    for (const channel of channels)
      await withDeadline(client.subscribe(channel, onMessage), commandTimeoutMs, "SUBSCRIBE");
  }

  /** After Bun reconnected the subscriber by itself: restore its channels exactly once. */
  private async resubscribe(client: RedisClient): Promise<void> {
    const { channels, onMessage, commandTimeoutMs } = this.options;
    try {
      for (const channel of channels)
        await withDeadline(client.unsubscribe(channel, onMessage), commandTimeoutMs, "UNSUBSCRIBE");
      await this.subscribeAll(client);
    } catch (error) {
      // The client is in an unknown state: drop it, and the next heartbeat builds a new one.
      this.options.logger.warn("redis hub resubscribe failed", { error: describeError(error) });
      this.dropped(client, "subscriber");
      client.close();
      return;
    }
    this.caughtUp();
  }

  private caughtUp(): void {
    const since = this.healthyAt;
    this.healthyAt = Date.now();
    if (since > 0) this.options.onResubscribed(since);
  }

  private dropped(client: RedisClient, role: "command" | "subscriber"): void {
    if (this.closed) return;
    if (role === "command" && this.command === client) this.command = undefined;
    if (role === "subscriber" && this.subscriber === client) this.subscriber = undefined;
    this.options.logger.warn("redis hub connection lost", { role });
  }
}
