/**
 * The gate in front of every `/api/` route and `/metrics`, run in Elysia's `onRequest` so
 * that it answers before any body is read: credential first (401), then media type (415),
 * then declared size (413). Bodies without a declared length are capped while they are read
 * (body.ts).
 */
import { Elysia } from "elysia";
import { tooManyRequests, type AbuseMetrics } from "../abuse/limits.ts";
import type { Principal } from "../auth/credentials.ts";
import { requiredScope } from "../auth/scopes.ts";
import type { Security } from "../auth/security.ts";
import type { Audit } from "../observability/audit.ts";
import { loggablePath, type Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { problemResponse } from "./problem.ts";

/** Prometheus scrape path; guarded like the API (scrapers send `Authorization: Bearer`). */
export const METRICS_PATH = "/metrics";

/** Largest request body the API accepts. */
export const MAX_BODY_BYTES = 16 * 1024;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The credential each authenticated request carried, for handlers to read. */
export type Principals = WeakMap<Request, Principal>;

/** Each request's client address, resolved where the socket is known (app.ts's fetch). */
export type ClientIps = WeakMap<Request, string>;

export interface GuardDeps {
  security: Security;
  audit: Audit;
  abuseMetrics: AbuseMetrics;
  clientIps: ClientIps;
  logger: Logger;
  metrics: GatewayMetrics;
  principals: Principals;
}

const UNAUTHORIZED = "A valid API key or token is required.";
const UNAUTHORIZED_HEADERS = { "www-authenticate": 'Bearer realm="ticketgate"' };

/**
 * Order: an address over its failed-authentication budget (429), the credential (401, or
 * 503 when the identity provider's keys cannot be fetched), its scope (403), the mint
 * budget of the credential (429), then media type (415) and declared size (413).
 */
export function apiGuard(deps: GuardDeps) {
  const { security, audit, abuseMetrics, clientIps, logger, metrics, principals } = deps;
  return new Elysia({ name: "api-guard" })
    .onBeforeHandle({ as: "global" }, ({ route, request }) => {
      // A second, independent lock: whatever path the guard below read from the URL, a
      // route the router matched under /api or /metrics never runs without a principal.
      if ((route.startsWith("/api/") || route === METRICS_PATH) && !principals.has(request))
        return problemResponse(401, UNAUTHORIZED, UNAUTHORIZED_HEADERS);
    })
    .onRequest(async ({ request }) => {
      const path = loggablePath(request.url);
      // /metrics reveals load and traffic, so it wants the API key as well.
      if (!path.startsWith("/api/") && path !== METRICS_PATH) return;

      const ip = clientIps.get(request) ?? "unknown";
      const refused = (status: number, reason: string) =>
        logger.info("api request refused", { path, status, reason, ip });

      const budget = await security.limits.checkAuthFailures(ip);
      if (!budget.ok) {
        abuseMetrics.limited.inc({ limit: "auth_failure" });
        refused(429, "auth_failure_limit");
        return tooManyRequests("auth_failure", budget.retryAfterSeconds);
      }

      const auth = await security.authenticator.authenticate(request.headers.get("authorization"));
      if (!auth.ok) {
        metrics.authFailures.inc({ reason: auth.reason });
        audit.credentialRefused({
          reason: auth.reason,
          kind: auth.kind,
          status: auth.status,
          ip,
          path,
        });
        if (auth.status === 503)
          return problemResponse(
            503,
            "The identity provider's keys are unavailable; retry shortly.",
            { "retry-after": "5" },
          );
        await security.limits.recordAuthFailure(ip);
        return problemResponse(401, UNAUTHORIZED, {
          "www-authenticate": 'Bearer realm="ticketgate"',
        });
      }
      const principal = auth.principal;
      principals.set(request, principal);

      const scope = requiredScope(request.method, path);
      if (!principal.scopes.has(scope)) {
        metrics.authFailures.inc({ reason: "insufficient_scope" });
        audit.credentialRefused({
          reason: "insufficient_scope",
          kind: principal.kind,
          status: 403,
          ip,
          path,
        });
        return problemResponse(
          403,
          `Insufficient scope: this credential lacks the ${scope} scope.`,
        );
      }
      // A mint's audit line (ticket.minted) names its key already: one line per event.
      if (principal.kind === "key" && scope !== "mint")
        audit.keyUsed({ key_id: principal.id, method: request.method, path, ip });

      if (scope === "mint") {
        // Namespaced by kind: a key file may name a key anything, including a JWT-style id.
        const minting = await security.limits.takeMint(`${principal.kind}:${principal.id}`);
        if (!minting.ok) {
          abuseMetrics.limited.inc({ limit: "mint" });
          refused(429, "mint_limit");
          return tooManyRequests("mint", minting.retryAfterSeconds);
        }
      }

      if (request.method !== "POST") return;

      if (!JSON_TYPE.test(request.headers.get("content-type") ?? "")) {
        return problemResponse(415, "The request body must be application/json.", {
          accept: "application/json",
        });
      }
      const declared = request.headers.get("content-length");
      if (declared !== null && Number(declared) > MAX_BODY_BYTES) {
        return problemResponse(413, `The request body must not exceed ${MAX_BODY_BYTES} bytes.`);
      }
    });
}
