/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the store answers). */
import { Elysia, t } from "elysia";
import type { TicketStore } from "../tickets/store.ts";
import { ProblemSchema } from "./schemas.ts";

const READY_TIMEOUT_MS = 2000;

export function healthRoutes(store: TicketStore) {
  return new Elysia({ name: "health" })
    .get("/healthz", () => ({ status: "ok" as const }), {
      response: { 200: t.Object({ status: t.Literal("ok") }, { additionalProperties: false }) },
      detail: { tags: ["operations"], summary: "Liveness: the process is up" },
    })
    .get(
      "/readyz",
      async ({ set }) => {
        const ready = await Promise.race([
          store.isReady().catch(() => false),
          Bun.sleep(READY_TIMEOUT_MS).then(() => false),
        ]);
        if (ready) return { status: "ready" as const, store: store.kind };
        set.status = 503;
        set.headers["content-type"] = "application/problem+json";
        set.headers["retry-after"] = "1";
        return {
          type: "about:blank",
          title: "Service Unavailable",
          status: 503,
          detail: "The ticket store is unreachable.",
        };
      },
      {
        response: {
          200: t.Object(
            { status: t.Literal("ready"), store: t.String() },
            { additionalProperties: false },
          ),
          503: ProblemSchema,
        },
        detail: { tags: ["operations"], summary: "Readiness: the ticket store is reachable" },
      },
    );
}
