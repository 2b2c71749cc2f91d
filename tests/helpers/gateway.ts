/** Starts a real ticketgate on an ephemeral port, with its log lines captured for assertions. */
import pkg from "../../package.json" with { type: "json" };
import { createTicketgate, type AppConfig } from "../../src/app.ts";
import { ApiKeyring } from "../../src/auth/api-keys.ts";
import { createSecurity, type SecurityParts } from "../../src/auth/security.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { listen } from "../../src/server.ts";
import type { Hub } from "../../src/realtime/hub.ts";
import type { Clock } from "../../src/tickets/clock.ts";
import { MemoryTicketStore } from "../../src/tickets/memory.ts";
import type { TicketStore } from "../../src/tickets/store.ts";

export const API_KEY = "test-key-0123456789abcdef";

const NO_LIMITS = { mintPerMinute: 0, upgradePerMinute: 0, authFailuresPerMinute: 0 };

export const DEFAULT_TEST_CONFIG: AppConfig = {
  ticketTtl: 30,
  ticketMaxTtl: 300,
  allowedOrigins: undefined,
  maxFrameBytes: 65_536,
  idleTimeout: 120,
  messageRate: 50,
  maxSessionsPerSubject: 16,
  sessionMaxAge: 3600,
  demo: true,
};

export interface TestGateway extends AsyncDisposable {
  url: string;
  wsUrl: string;
  port: number;
  logs: string[];
  store: TicketStore;
  gate: ReturnType<typeof createTicketgate>;
  mint(body?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  config?: Partial<AppConfig>;
  store?: TicketStore;
  keys?: string[];
  /** A ready keyring (key-file keys with scopes); wins over `keys`. */
  keyring?: ApiKeyring;
  clock?: Clock;
  maxTickets?: number;
  /**
   * JWT verifier, limiter, limits and trusted proxies; the keyring comes from `keys`. Limits
   * are off unless given: most tests connect far more often than a real client may.
   */
  security?: Omit<SecurityParts, "keyring">;
  /** A fixed port, to restart a gateway where its clients expect it; default 0 (any free). */
  port?: number;
  /** The cross-node hub (closed on stop); default a local one. */
  hub?: Hub;
}

export async function startGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const logs: string[] = [];
  const store =
    options.store ??
    new MemoryTicketStore({ maxTickets: options.maxTickets ?? 1000, clock: options.clock });
  const keyring = options.keyring ?? ApiKeyring.fromEntries(options.keys ?? [API_KEY]);
  const security = createSecurity({
    keyring,
    clock: options.clock,
    limits: NO_LIMITS,
    ...options.security,
  });
  const gate = createTicketgate(
    { ...DEFAULT_TEST_CONFIG, ...options.config },
    {
      store,
      keyring,
      security,
      logger: createLogger("debug", (line) => logs.push(line)),
      version: pkg.version,
      clock: options.clock,
      hub: options.hub,
    },
  );
  const listening = listen(gate, options.port ?? 0, "127.0.0.1");
  const url = `http://127.0.0.1:${listening.port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await listening.stop();
    await security.close();
    await gate.close();
    await store.close();
  };

  return {
    url,
    wsUrl: `ws://127.0.0.1:${listening.port}/ws`,
    port: listening.port,
    logs,
    store,
    gate,
    stop,
    [Symbol.asyncDispose]: stop,
    async mint(body = { subject: "alice" }) {
      const res = await fetch(`${url}/api/v1/tickets`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`mint answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { ticket: string }).ticket;
    },
  };
}
