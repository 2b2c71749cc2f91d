/**
 * Composes ticketgate from its parts. No module-level state: tests build as many gateways
 * as they like, each on its own ephemeral port.
 */
import type { Server, WebSocketHandler } from "bun";
import { Elysia } from "elysia";
import { createAbuseMetrics } from "./abuse/limits.ts";
import type { ApiKeyring } from "./auth/api-keys.ts";
import { createSecurity, type Security } from "./auth/security.ts";
import type { Config } from "./config.ts";
import { demoRoutes } from "./http/demo.ts";
import { docs, refinedSpecRoute } from "./http/docs.ts";
import { errorMapper } from "./http/errors.ts";
import { channelRoutes } from "./http/channels.ts";
import { apiGuard, MAX_BODY_BYTES, type ClientIps, type Principals } from "./http/guard.ts";
import { problemResponse } from "./http/problem.ts";
import { healthRoutes } from "./http/health.ts";
import { routableRequest } from "./http/routable.ts";
import { metricsRoutes, requestCounter } from "./http/metrics-route.ts";
import { sessionRoutes } from "./http/sessions.ts";
import { ticketRoutes } from "./http/tickets.ts";
import { createAudit } from "./observability/audit.ts";
import { loggablePath, type Logger } from "./observability/logger.ts";
import { createGatewayMetrics } from "./observability/metrics.ts";
import { createGateway } from "./realtime/gateway.ts";
import { LocalHub, type Hub } from "./realtime/hub.ts";
import { backpressureLimitFor, checkLimits, websocketOptions } from "./realtime/limits.ts";
import { rateLimitFor } from "./realtime/rate-limit.ts";
import { SessionRegistry } from "./realtime/registry.ts";
import { createSessionHandlers } from "./realtime/session.ts";
import type { SessionData } from "./realtime/session-data.ts";
import { systemClock, type Clock } from "./tickets/clock.ts";
import type { TicketStore } from "./tickets/store.ts";

export const WEBSOCKET_PATH = "/ws";

export interface AppDeps {
  store: TicketStore;
  keyring: ApiKeyring;
  logger: Logger;
  version: string;
  clock?: Clock;
  /** Credentials, client addresses and abuse limits; default: the keyring, no JWT, limits in memory. */
  security?: Security;
  /** Carries publishes, presence and revocations across nodes; default: this node only. */
  hub?: Hub;
}

export type AppConfig = Pick<
  Config,
  | "ticketTtl"
  | "ticketMaxTtl"
  | "allowedOrigins"
  | "maxFrameBytes"
  | "idleTimeout"
  | "messageRate"
  | "maxSessionsPerSubject"
  | "sessionMaxAge"
  | "demo"
>;

export function createTicketgate(config: AppConfig, deps: AppDeps) {
  checkLimits(config);
  const { store, keyring, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = createGatewayMetrics();
  const principals: Principals = new WeakMap();
  const ownSecurity = deps.security === undefined;
  const security = deps.security ?? createSecurity({ keyring, clock });
  const audit = createAudit(logger);
  const abuseMetrics = createAbuseMetrics(metrics.registry);
  const clientIps: ClientIps = new WeakMap();
  const hub = deps.hub ?? new LocalHub();
  const registry = new SessionRegistry({
    maxSessionsPerSubject: config.maxSessionsPerSubject,
    backpressureLimit: backpressureLimitFor(config.maxFrameBytes),
    clock,
    logger,
    metrics,
  });
  hub.attach(registry);

  const app = new Elysia({ normalize: false })
    .use(errorMapper(logger))
    .use(requestCounter(metrics))
    .use(apiGuard({ security, audit, abuseMetrics, clientIps, logger, metrics, principals }))
    .use(
      ticketRoutes({
        store,
        clock,
        logger,
        metrics,
        principals,
        audit,
        ticketTtl: config.ticketTtl,
        ticketMaxTtl: config.ticketMaxTtl,
      }),
    )
    .use(healthRoutes(store))
    .use(channelRoutes({ hub, clock, logger, metrics }))
    .use(sessionRoutes({ hub, store, logger, metrics, principals, audit }))
    .use(metricsRoutes(metrics))
    .use(docs(deps.version));
  app.use(refinedSpecRoute(app));
  if (config.demo) app.use(demoRoutes());

  const upgrade = createGateway({
    store,
    logger,
    metrics,
    allowedOrigins: config.allowedOrigins,
    security,
    audit,
    abuseMetrics,
    admit: (subject) => registry.admit(subject),
  });

  const websocket: WebSocketHandler<SessionData> = {
    ...createSessionHandlers({
      logger,
      metrics,
      registry,
      hub,
      store,
      clock,
      rate: rateLimitFor(config.messageRate),
      maxAgeMs: config.sessionMaxAge * 1000,
    }),
    ...websocketOptions(config),
  };

  /** Upgrades go straight to the gateway on Bun's server; everything else to Elysia. */
  const fetch = (request: Request, server: Server<SessionData>) => {
    registry.bind(server);
    // No route takes a body over 16 KiB: refuse a declared one before anything reads it.
    if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES)
      return problemResponse(413, `The request body must not exceed ${MAX_BODY_BYTES} bytes.`, {
        connection: "close",
      });
    // Every later reader (gateway, guard, router) must see one and the same path.
    const routed = routableRequest(request);
    if (loggablePath(routed.url) === WEBSOCKET_PATH) return upgrade(request, server);
    // Elysia's context has no server: the client address is resolved here, where it is known.
    clientIps.set(
      routed,
      security.clientIps.resolve(server.requestIP(request)?.address, request.headers),
    );
    return app.fetch(routed);
  };

  /** Stops the session sweep and leaves the hub; call after the server stopped. */
  const close = async () => {
    registry.close();
    await hub.close();
    if (ownSecurity) await security.close();
  };

  return { app, fetch, websocket, metrics, registry, hub, security, close };
}

export type Ticketgate = ReturnType<typeof createTicketgate>;
