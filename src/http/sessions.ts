/**
 * Session administration: list live sessions, and revoke one session or every session of a
 * subject (together with the subject's unredeemed tickets), on every node.
 */
import { Elysia, t } from "elysia";
import type { Audit } from "../observability/audit.ts";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import type { Hub } from "../realtime/hub.ts";
import type { TicketStore } from "../tickets/store.ts";
import { StoreUnavailableError } from "../tickets/unavailable.ts";
import { MAX_SUBJECT_LENGTH } from "../tickets/ticket.ts";
import { SESSION_ID_PATTERN, SessionParams, SessionSchema, SubjectParams } from "./admin-common.ts";
import { checkSubject, viaHub } from "./admin-common.ts";
import type { Principals } from "./guard.ts";
import { HTTPError } from "./problem.ts";
import { ProblemSchema } from "./schemas.ts";

export interface SessionRouteDeps {
  hub: Hub;
  store: TicketStore;
  logger: Logger;
  metrics: GatewayMetrics;
  principals: Principals;
  audit: Audit;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

const ListQuery = t.Object(
  {
    subject: t.Optional(
      t.String({
        minLength: 1,
        maxLength: MAX_SUBJECT_LENGTH,
        description: "Only this subject's sessions.",
      }),
    ),
    limit: t.Optional(
      t.Integer({
        minimum: 1,
        maximum: MAX_PAGE,
        default: DEFAULT_PAGE,
        description: "Page size.",
      }),
    ),
    cursor: t.Optional(
      t.String({ pattern: SESSION_ID_PATTERN, description: "`next_cursor` of the previous page." }),
    ),
  },
  { additionalProperties: false },
);

const PageSchema = t.Object(
  {
    sessions: t.Array(SessionSchema, { description: "Sorted by session id." }),
    next_cursor: t.Union([t.String(), t.Null()], {
      description: "Pass as `cursor` for the next page; null on the last.",
    }),
  },
  { additionalProperties: false },
);

const RevokedSchema = t.Object(
  {
    subject: t.String(),
    sessions_closed: t.Integer({
      description: "Sessions closed with 4001, over every node that answered.",
    }),
    tickets_revoked: t.Integer({ description: "Unredeemed tickets of the subject made unusable." }),
  },
  { additionalProperties: false },
);

const SessionRevokedSchema = t.Object(
  {
    session: t.String(),
    closed: t.Literal(true, { description: "The session was closed with 4001." }),
  },
  { additionalProperties: false },
);

const guarded = { 400: ProblemSchema, 401: ProblemSchema, 503: ProblemSchema };

export function sessionRoutes(deps: SessionRouteDeps) {
  const { hub, store, logger, principals, audit } = deps;
  /** Revocation needs the `revoke` scope, which only keys hold; a key is named by its id. */
  const keyId = (request: Request) => {
    const principal = principals.get(request);
    return principal?.kind === "key" ? principal.id : undefined;
  };

  return new Elysia({ name: "session-routes", normalize: false })
    .get(
      "/api/v1/sessions",
      async ({ query }) => {
        const limit = query.limit ?? DEFAULT_PAGE;
        if (query.subject !== undefined) checkSubject(query.subject);
        const listing = hub.sessions({ subject: query.subject, after: query.cursor, limit });
        const page = await viaHub("sessions", listing, deps);
        const more = page.length > limit;
        return {
          sessions: page.slice(0, limit),
          next_cursor: more ? page[limit - 1]!.session : null,
        };
      },
      {
        query: ListQuery,
        response: { 200: PageSchema, ...guarded },
        detail: {
          tags: ["sessions"],
          summary: "List live sessions on every node, paged",
          description:
            "Pages are ordered by session id; a cursor stays valid while sessions come and go.",
          security: [{ bearer: [] }],
        },
      },
    )
    .delete(
      "/api/v1/sessions/:session",
      async ({ params, request }) => {
        const closed = await viaHub("revoke_session", hub.revokeSession(params.session), deps);
        if (!closed) throw new HTTPError(404, "No live session has that id.");
        logger.info("session revoked", {
          session: params.session,
          key: principals.get(request)?.id,
        });
        audit.sessionRevoked({ session: params.session, key_id: keyId(request) });
        return { session: params.session, closed: true as const };
      },
      {
        params: SessionParams,
        response: { 200: SessionRevokedSchema, ...guarded, 404: ProblemSchema },
        detail: {
          tags: ["sessions"],
          summary: "Revoke one session",
          description:
            "Closes the session with code 4001 (revoked), on whichever node holds it; 404 when no node does.",
          security: [{ bearer: [] }],
        },
      },
    )
    .delete(
      "/api/v1/subjects/:subject/sessions",
      async ({ params, request }) => {
        const { subject } = params;
        checkSubject(subject);
        // Tickets first: a ticket redeemed after its subject's sessions were closed would
        // open a session that no revocation covers.
        const tickets = await revokeTickets(store, subject, deps);
        const sessions = await viaHub("revoke_subject", hub.revokeSubject(subject), deps);
        const key = principals.get(request)?.id;
        logger.info("subject revoked", {
          subject,
          sessions_closed: sessions,
          tickets_revoked: tickets,
          key,
        });
        audit.sessionRevoked({
          subject,
          count: sessions,
          tickets_revoked: tickets,
          key_id: keyId(request),
        });
        return { subject, sessions_closed: sessions, tickets_revoked: tickets };
      },
      {
        params: SubjectParams,
        response: { 200: RevokedSchema, ...guarded },
        detail: {
          tags: ["sessions"],
          summary: "Revoke every session of a subject, and its unredeemed tickets",
          description:
            "Makes the subject's outstanding tickets unusable, then closes each of its live sessions on every node " +
            "with code 4001 (revoked). A session whose ticket was being redeemed at that instant is closed as it opens. " +
            "Safe to repeat: on 503, retry.",
          security: [{ bearer: [] }],
        },
      },
    );
}

async function revokeTickets(
  store: TicketStore,
  subject: string,
  deps: SessionRouteDeps,
): Promise<number> {
  const started = performance.now();
  try {
    return await store.revokeSubject(subject);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    deps.logger.warn("ticket revocation failed", { subject, error });
    throw new HTTPError(503, "The ticket store is unavailable; retry shortly.", {
      "retry-after": "1",
    });
  } finally {
    deps.metrics.storeLatency.observe((performance.now() - started) / 1000);
  }
}
