/**
 * Composes ticketgate from its parts. No module-level state: tests build as many gateways
 * as they like, each on its own ephemeral port.
 */
import type { Server, WebSocketHandler } from "bun";
import { Elysia } from "elysia";
import type { ApiKeyring } from "./auth/api-keys.ts";
import type { Config } from "./config.ts";
import { demoRoutes } from "./http/demo.ts";
import { docs, refinedSpecRoute } from "./http/docs.ts";
import { errorMapper } from "./http/errors.ts";
import { apiGuard, type Principals } from "./http/guard.ts";
import { healthRoutes } from "./http/health.ts";
import { ticketRoutes } from "./http/tickets.ts";
import { loggablePath, type Logger } from "./observability/logger.ts";
import { createGatewayMetrics } from "./observability/metrics.ts";
import { createGateway } from "./realtime/gateway.ts";
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
}

export type AppConfig = Pick<
  Config,
  "ticketTtl" | "ticketMaxTtl" | "allowedOrigins" | "maxFrameBytes" | "idleTimeout" | "demo"
>;

export function createTicketgate(config: AppConfig, deps: AppDeps) {
  const { store, keyring, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = createGatewayMetrics();
  const principals: Principals = new WeakMap();

  const app = new Elysia({ normalize: false })
    .use(errorMapper(logger))
    .use(apiGuard({ keyring, logger, metrics, principals }))
    .use(
      ticketRoutes({
        store,
        clock,
        logger,
        metrics,
        principals,
        ticketTtl: config.ticketTtl,
        ticketMaxTtl: config.ticketMaxTtl,
      }),
    )
    .use(healthRoutes(store))
    .use(docs(deps.version));
  app.use(refinedSpecRoute(app));
  if (config.demo) app.use(demoRoutes());

  const upgrade = createGateway({ store, logger, metrics, allowedOrigins: config.allowedOrigins });

  const websocket: WebSocketHandler<SessionData> = {
    ...createSessionHandlers({ logger, metrics }),
    maxPayloadLength: config.maxFrameBytes,
    idleTimeout: config.idleTimeout,
    sendPings: true,
    perMessageDeflate: false,
  };

  /** Upgrades go straight to the gateway on Bun's server; everything else to Elysia. */
  const fetch = (request: Request, server: Server<SessionData>) =>
    loggablePath(request.url) === WEBSOCKET_PATH ? upgrade(request, server) : app.fetch(request);

  return { app, fetch, websocket, metrics };
}

export type Ticketgate = ReturnType<typeof createTicketgate>;
