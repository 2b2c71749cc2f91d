/**
 * The ticketgate client: fetches a fresh ticket for every connection attempt, keeps one
 * session open, reconnects with jittered back-off, and replays its subscriptions.
 */
import {
  CloseCode,
  type ClientFrame,
  type ReauthedFrame,
  type ReplyFrame,
  type ServerFrame,
} from "../wire/protocol.ts";
import type { ServerErrorCode, WelcomeFrame } from "../wire/protocol.ts";
import { Sleeper, backoffDelay } from "./backoff.ts";
import {
  openConnection,
  type Connection,
  type TicketPlacement,
  type WebSocketConstructor,
} from "./connection.ts";
import { Emitter, type Listener } from "./emitter.ts";
import { TicketgateError } from "./errors.ts";
import {
  DEFAULT_RECONNECT,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_WELCOME_TIMEOUT_MS,
} from "./options.ts";
import type {
  ClientEvents,
  ClientOptions,
  ConnectionState,
  ReconnectOptions,
  Request,
  Subscription,
} from "./options.ts";
import { RenewalTimer, renewalDelay } from "./renewal.ts";
import { PendingRequests } from "./requests.ts";
import { Subscriptions, type MessageHandler } from "./subscriptions.ts";
import { normalizeTicket, resolveSocketUrl, takeTicket } from "./urls.ts";

/** A session shorter than this does not reset the back-off: a server that accepts and drops
 * at once must not be hammered at the first step's rate. */
const STABLE_SESSION_MS = 5_000;

type Waiter = { resolve(welcome: WelcomeFrame): void; reject(error: TicketgateError): void };

/**
 * A connection to a ticketgate server that survives restarts and expiry.
 *
 * @example
 * ```ts
 * import { TicketgateClient } from "ticketgate/client";
 *
 * const client = new TicketgateClient({
 *   url: "wss://realtime.example.com/ws",
 *   // Your backend mints the ticket with its API key; the browser never sees the key.
 *   getTicket: () => fetch("/api/realtime-ticket", { method: "POST" }).then((r) => r.json()),
 * });
 * client.on("state", ({ state }) => console.log("realtime:", state));
 * await client.connect();
 * await client.subscribe("chat:lobby", (data, message) => console.log(message.from, data));
 * await client.publish("chat:lobby", { text: "hello" });
 * ```
 */
export class TicketgateClient {
  readonly #options: ClientOptions;
  readonly #reconnect: ReconnectOptions | false;
  readonly #WebSocket: WebSocketConstructor;
  readonly #events = new Emitter<ClientEvents>();
  readonly #requests = new PendingRequests();
  readonly #subscriptions = new Subscriptions();
  readonly #renewal = new RenewalTimer();
  #state: ConnectionState = "idle";
  #connection: Connection | undefined;
  #welcome: WelcomeFrame | undefined;
  #waiters: Waiter[] = [];
  #stopError: TicketgateError | undefined;
  readonly #sleeper = new Sleeper();

  constructor(options: ClientOptions) {
    const WebSocketImpl =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketImpl)
      throw new TypeError(
        "No WebSocket in this runtime: pass one as options.WebSocket (e.g. from the ws package).",
      );
    this.#WebSocket = WebSocketImpl;
    this.#options = options;
    this.#reconnect =
      options.reconnect === false ? false : { ...DEFAULT_RECONNECT, ...options.reconnect };
  }

  /** `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The welcome of the current session; undefined while no session is open. */
  get session(): WelcomeFrame | undefined {
    return this.#state === "open" ? this.#welcome : undefined;
  }

  /** Listens to an event; returns a function that stops listening. */
  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /**
   * Starts connecting (once) and resolves with the welcome of the first session. Failed
   * attempts are retried as configured and reported as `error` events; the promise rejects
   * only when the client stops (revoked, `close()`, `maxAttempts`, or no ticket).
   */
  connect(): Promise<WelcomeFrame> {
    if (this.#state === "idle") void this.#run();
    return this.#whenOpen();
  }

  /**
   * Subscribes to a channel. Resolves once the server confirmed; rejects with code `server`
   * (`forbidden` when the ticket does not grant the channel). The subscription is replayed
   * after every reconnect.
   */
  async subscribe(channel: string, handler: MessageHandler): Promise<Subscription> {
    if (!this.#subscriptions.has(channel))
      await this.request({ type: "subscribe", channel }, { waitForOpen: true });
    this.#subscriptions.add(channel, handler);
    return { channel, unsubscribe: () => this.unsubscribe(channel, handler) };
  }

  /** Drops one handler, or every handler of the channel; the last one out tells the server. */
  async unsubscribe(channel: string, handler?: MessageHandler): Promise<void> {
    if (!this.#subscriptions.remove(channel, handler)) return;
    if (this.#connection?.isOpen()) await this.request({ type: "unsubscribe", channel });
  }

  /** Publishes to a channel; resolves when the server accepted it. Not queued while offline. */
  async publish(channel: string, data: unknown): Promise<void> {
    await this.request({ type: "publish", channel, data });
  }

  /** Round trip to the server; resolves with the time it took, in milliseconds. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.request({ type: "ping" });
    return Date.now() - started;
  }

  /**
   * Renews the open session with a fresh ticket from `getTicket`, sent over the socket: a
   * new maximum age, same socket and subscriptions. Done by itself before expiry unless
   * `renew` is false. Channels the new ticket no longer grants are dropped and reported.
   */
  async reauth(): Promise<ReauthedFrame> {
    const ticket = normalizeTicket(await this.#options.getTicket());
    if (ticket === null)
      throw new TicketgateError("ticket_unavailable", "getTicket returned no ticket.");
    const reply = (await this.request({ type: "reauth", ticket })) as ReauthedFrame;
    if (this.#welcome)
      this.#welcome = { ...this.#welcome, channels: reply.channels, expires_at: reply.expires_at };
    for (const channel of reply.dropped ?? []) this.#dropSubscription(channel, "forbidden");
    this.#scheduleRenewal(reply.expires_at);
    this.#events.emit("reauthed", reply);
    return reply;
  }

  /**
   * Sends any client frame with a fresh `id` and resolves with its one reply. An `error`
   * reply rejects with code `server` and the server's code in `serverCode`.
   */
  async request(frame: Request, options: { waitForOpen?: boolean } = {}): Promise<ReplyFrame> {
    if (options.waitForOpen) await this.#whenOpen();
    const connection = this.#connection;
    if (!connection?.isOpen()) throw new TicketgateError("not_connected", "No session is open.");
    const { id, reply } = this.#requests.create(
      this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    connection.send({ ...frame, id } as ClientFrame);
    return reply;
  }

  /** Closes the session and stops reconnecting. Safe to call more than once. */
  close(): void {
    this.#stop(new TicketgateError("closed", "The client was closed."));
  }

  async #run(): Promise<void> {
    let failures = 0;
    let backoffStep = 0;
    let delay = 0;
    while (!this.#stopError) {
      if (delay > 0) await this.#sleeper.sleep(delay);
      if (this.#stopError) return;
      this.#setState(this.#welcome || failures > 0 ? "reconnecting" : "connecting");

      const attempt = await this.#attempt();
      if (this.#stopError || attempt === "stop") return;

      if (attempt instanceof TicketgateError) {
        failures++;
        this.#events.emit("error", attempt);
        if (!this.#reconnect) return this.#stop(attempt);
        if (failures >= this.#reconnect.maxAttempts)
          return this.#stop(
            new TicketgateError("gave_up", `${failures} connection attempts failed in a row.`, {
              cause: attempt,
            }),
          );
        delay = backoffDelay(backoffStep++, this.#reconnect, this.#options.random);
        this.#events.emit("reconnecting", {
          attempt: failures + 1,
          delayMs: delay,
          error: attempt,
        });
        continue;
      }

      failures = 0;
      const { code, reason, lasted } = attempt;
      if (lasted >= STABLE_SESSION_MS) backoffStep = 0;
      const willReconnect = this.#reconnect !== false && code !== CloseCode.revoked;
      this.#events.emit("close", { code, reason, willReconnect });
      if (code === CloseCode.revoked)
        return this.#stop(
          new TicketgateError("revoked", "The server revoked this session; not reconnecting.", {
            closeCode: code,
          }),
        );
      if (!this.#reconnect)
        return this.#stop(
          new TicketgateError("closed", "The session closed.", { closeCode: code }),
        );
      delay = backoffDelay(backoffStep++, this.#reconnect, this.#options.random);
      this.#events.emit("reconnecting", { attempt: 1, delayMs: delay, closeCode: code });
    }
  }

  /** One attempt: a fresh ticket, a socket, a welcome, then the session until it closes. */
  async #attempt(): Promise<
    TicketgateError | "stop" | { code: number; reason: string; lasted: number }
  > {
    const ticket = await takeTicket(this.#options.getTicket);
    if (ticket instanceof TicketgateError) return ticket;
    if (this.#stopError) return "stop";
    if (ticket === null) {
      this.#stop(
        new TicketgateError(
          "ticket_unavailable",
          "getTicket returned no ticket; the client stopped.",
        ),
      );
      return "stop";
    }

    const connection = openConnection({
      WebSocket: this.#WebSocket,
      url: resolveSocketUrl(this.#options.url),
      ticket,
      placement: this.#options.ticketIn ?? "protocol",
      welcomeTimeoutMs: this.#options.welcomeTimeoutMs ?? DEFAULT_WELCOME_TIMEOUT_MS,
      onFrame: (frame) => this.#onFrame(frame),
    });
    this.#connection = connection;
    try {
      this.#welcome = await connection.welcome;
    } catch (error) {
      this.#connection = undefined;
      return error as TicketgateError;
    }
    if (this.#stopError) return "stop";

    const openedAt = Date.now();
    this.#setState("open");
    this.#scheduleRenewal(this.#welcome.expires_at);
    this.#events.emit("welcome", this.#welcome);
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(this.#welcome);
    void this.#resubscribe();

    const { code, reason } = await connection.closed;
    this.#connection = undefined;
    this.#renewal.cancel();
    this.#requests.rejectAll(
      new TicketgateError("disconnected", "The session closed before the reply.", {
        closeCode: code,
      }),
    );
    return { code, reason, lasted: Date.now() - openedAt };
  }

  #onFrame(frame: ServerFrame): void {
    if (frame.type === "message") {
      this.#subscriptions.dispatch(frame);
      this.#events.emit("message", frame);
      return;
    }
    if (frame.type === "welcome") return;
    if (this.#requests.settle(frame)) return;
    if (frame.type === "error")
      this.#events.emit(
        "error",
        new TicketgateError("server", frame.message, { serverCode: frame.code }),
      );
  }

  /** Replays subscriptions on a new session; a channel the new ticket refuses is dropped. */
  async #resubscribe(): Promise<void> {
    for (const channel of this.#subscriptions.channels()) {
      try {
        await this.request({ type: "subscribe", channel });
      } catch (error) {
        if (!(error instanceof TicketgateError) || error.code !== "server") return;
        this.#dropSubscription(channel, error.serverCode ?? "forbidden");
      }
    }
  }

  /** Forgets a channel the server will not serve any more, and tells the app. */
  #dropSubscription(channel: string, serverCode: ServerErrorCode): void {
    if (!this.#subscriptions.remove(channel)) return;
    this.#events.emit(
      "error",
      new TicketgateError("server", `The subscription to ${channel} was dropped.`, { serverCode }),
    );
  }

  #scheduleRenewal(expiresAt: string | undefined): void {
    if (this.#options.renew === false) return;
    this.#renewal.schedule(
      renewalDelay(expiresAt, Date.now(), this.#options.random ?? Math.random),
      () => {
        // A failed renewal costs nothing yet: the server closes with 4002 and the SDK reconnects.
        this.reauth().catch((error: unknown) => {
          if (error instanceof TicketgateError) this.#events.emit("error", error);
        });
      },
    );
  }

  #whenOpen(): Promise<WelcomeFrame> {
    if (this.#stopError) return Promise.reject(this.#stopError);
    if (this.#state === "open" && this.#welcome) return Promise.resolve(this.#welcome);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #stop(error: TicketgateError): void {
    if (this.#stopError) return;
    this.#stopError = error;
    this.#sleeper.wake();
    this.#renewal.cancel();
    this.#connection?.close(CloseCode.normal, "client closed");
    this.#connection = undefined;
    this.#requests.rejectAll(error);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#setState("closed");
  }

  #setState(state: ConnectionState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.#events.emit("state", { state, previous });
  }
}
