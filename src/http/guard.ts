/**
 * The gate in front of every `/api/` route and `/metrics`, run in Elysia's `onRequest` so
 * that it answers before any body is read: credential first (401), then media type (415),
 * then declared size (413). Bodies without a declared length are capped while they are read
 * (body.ts).
 */
import { Elysia } from "elysia";
import type { ApiKey, ApiKeyring } from "../auth/api-keys.ts";
import { loggablePath, type Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { problemResponse } from "./problem.ts";

/** Prometheus scrape path; guarded like the API (scrapers send `Authorization: Bearer`). */
export const METRICS_PATH = "/metrics";

/** Largest request body the API accepts. */
export const MAX_BODY_BYTES = 16 * 1024;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The credential each authenticated request carried, for handlers to read. */
export type Principals = WeakMap<Request, ApiKey>;

export interface GuardDeps {
  keyring: ApiKeyring;
  logger: Logger;
  metrics: GatewayMetrics;
  principals: Principals;
}

export function apiGuard({ keyring, logger, metrics, principals }: GuardDeps) {
  return new Elysia({ name: "api-guard" }).onRequest(({ request }) => {
    const path = loggablePath(request.url);
    // /metrics reveals load and traffic, so it wants the API key as well.
    if (!path.startsWith("/api/") && path !== METRICS_PATH) return;

    const check = keyring.verify(request.headers.get("authorization"));
    if (!check.ok) {
      metrics.authFailures.inc({ reason: check.reason });
      logger.info("api request refused", { path, status: 401, reason: check.reason });
      return problemResponse(401, "A valid API key is required.", { "www-authenticate": 'Bearer realm="ticketgate"' });
    }
    principals.set(request, check.key);

    if (request.method !== "POST") return;

    if (!JSON_TYPE.test(request.headers.get("content-type") ?? "")) {
      return problemResponse(415, "The request body must be application/json.", { accept: "application/json" });
    }
    const declared = request.headers.get("content-length");
    if (declared !== null && Number(declared) > MAX_BODY_BYTES) {
      return problemResponse(413, `The request body must not exceed ${MAX_BODY_BYTES} bytes.`);
    }
  });
}
