/**
 * `GET /metrics` in Prometheus text format, behind the API key (see guard.ts), and the
 * per-route request counter it exposes. Labels are route templates and statuses only.
 */
import { Elysia, t } from "elysia";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { METRICS_PATH } from "./guard.ts";
import { ProblemSchema } from "./schemas.ts";

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

/** Counts every answered request by route template and status; register it before the routes. */
export function requestCounter(metrics: GatewayMetrics) {
  return new Elysia({ name: "request-counter" }).onAfterResponse(
    { as: "global" },
    ({ route, set }) => {
      // `route` is the template (`/api/v1/channels/:channel/messages`), never the URL.
      metrics.requests.inc({ route: route || "unmatched", status: String(set.status ?? 200) });
    },
  );
}

export function metricsRoutes(metrics: GatewayMetrics) {
  return new Elysia({ name: "metrics-route" }).get(
    METRICS_PATH,
    () =>
      new Response(metrics.registry.render(), {
        headers: { "content-type": PROMETHEUS_TEXT, "cache-control": "no-store" },
      }),
    {
      response: {
        200: t.String({ description: "Prometheus text exposition format 0.0.4." }),
        401: ProblemSchema,
      },
      detail: {
        tags: ["operations"],
        summary: "Prometheus metrics",
        description:
          "Tickets minted, redeemed and refused by reason; live sessions; frames in and out; publish fan-out; " +
          "store latency; closes by code. Needs the API key like the API: configure the scraper with a bearer token.",
        security: [{ bearer: [] }],
      },
    },
  );
}
