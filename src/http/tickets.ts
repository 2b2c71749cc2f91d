/** POST /api/v1/tickets: a backend asks for a ticket on behalf of one of its users. */
import { Elysia } from "elysia";
import { expandPattern, patternProblem, type ChannelGrant } from "../channels/grammar.ts";
import type { Clock } from "../tickets/clock.ts";
import { mintTicket } from "../tickets/mint.ts";
import type { TicketStore } from "../tickets/store.ts";
import { isValidSubject, ticketLogId } from "../tickets/ticket.ts";
import type { Audit } from "../observability/audit.ts";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { readJsonBody } from "./body.ts";
import type { Principals } from "./guard.ts";
import { finishGrant } from "./mint-policy.ts";
import { jsonBodyDoc } from "./openapi-refine.ts";
import { HTTPError } from "./problem.ts";
import { MintBodySchema, MintResponseSchema, ProblemSchema } from "./schemas.ts";

const MAX_METADATA_BYTES = 4096;
/**
 * The grant of a ticket that asked for no channels, shared by every such session instead of
 * one empty array each. Frozen, so code that tried to grow it in place would throw.
 */
const NO_CHANNELS = Object.freeze([]) as unknown as ChannelGrant[]; // frozen: never mutated, see above

export interface TicketRouteDeps {
  store: TicketStore;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  principals: Principals;
  audit: Audit;
  ticketTtl: number;
  ticketMaxTtl: number;
}

type MintBody = typeof MintBodySchema.static;

export function ticketRoutes(deps: TicketRouteDeps) {
  const { store, clock, logger, metrics, principals } = deps;

  return new Elysia({ name: "ticket-routes", normalize: false }).post(
    "/api/v1/tickets",
    async ({ body, request, set }) => {
      const principal = principals.get(request);
      const grant = finishGrant(checkMintBody(body, deps.ticketMaxTtl), principal, body.bind);
      const ttl = body.ttl_seconds ?? deps.ticketTtl;

      const minted = await mintTicket(store, grant, ttl, clock);
      if (!minted.ok) {
        logger.warn("ticket refused", { reason: minted.reason, store: store.kind });
        const detail =
          minted.reason === "full"
            ? "The ticket store is full; retry shortly."
            : "The ticket store is unavailable.";
        throw new HTTPError(503, detail, { "retry-after": "1" });
      }

      metrics.ticketsMinted.inc();
      const ticketId = ticketLogId(minted.hash);
      deps.audit.ticketMinted({
        ticket_id: ticketId,
        subject: grant.subject,
        ttl,
        bound: Object.keys(body.bind ?? {}),
        ...(principal?.kind === "jwt"
          ? { credential: "jwt", jwt_sub: principal.subject, jwt_iss: principal.issuer }
          : { credential: "key", key_id: principal?.id }),
      });
      set.status = 201;
      set.headers["cache-control"] = "no-store";
      return {
        ticket: minted.ticket,
        expires_at: new Date(minted.expiresAt).toISOString(),
        expires_in: ttl,
      };
    },
    {
      parse: readJsonBody,
      body: MintBodySchema,
      response: {
        201: MintResponseSchema,
        400: ProblemSchema,
        401: ProblemSchema,
        403: ProblemSchema,
        413: ProblemSchema,
        415: ProblemSchema,
        429: ProblemSchema,
        503: ProblemSchema,
      },
      detail: {
        tags: ["tickets"],
        summary: "Mint a single-use ticket",
        description:
          "Returns an opaque ticket the client presents once when it opens `GET /ws`. Only its SHA-256 is stored. " +
          "Bodies are JSON of at most 16 KiB. The bearer is an API key with the `mint` scope, or a JWT from the " +
          "configured identity provider: a JWT mints only for its own `sub`, only channels its claim grants, and " +
          "no metadata (403). Too many mints per credential answer 429 with `Retry-After`.",
        security: [{ bearer: [] }],
        ...jsonBodyDoc(MintBodySchema),
      },
    },
  );
}

/** The checks a schema cannot express; each failure names its field. */
function checkMintBody(body: MintBody, maxTtl: number) {
  const fail = (field: string, message: string): never => {
    throw new HTTPError(400, `Field ${field}: ${message}.`, {}, [{ field, message }]);
  };

  if (!isValidSubject(body.subject))
    fail("/subject", "must hold printable characters only, not only white space");
  if (body.ttl_seconds !== undefined && body.ttl_seconds > maxTtl)
    fail("/ttl_seconds", `must be at most ${maxTtl}`);
  if (
    body.metadata !== undefined &&
    Buffer.byteLength(JSON.stringify(body.metadata)) > MAX_METADATA_BYTES
  )
    fail("/metadata", `must serialize to at most ${MAX_METADATA_BYTES} bytes`);

  const asked = body.channels ?? [];
  const channels: ChannelGrant[] =
    asked.length === 0
      ? NO_CHANNELS
      : asked.map((entry, i) => {
          const pattern = typeof entry === "string" ? entry : entry.pattern;
          const publish = typeof entry === "string" ? true : entry.publish !== false;
          const problem = patternProblem(pattern);
          if (problem) return fail(`/channels/${i}`, problem);
          const expanded = expandPattern(pattern, body.subject);
          if (expanded === null)
            return fail(
              `/channels/${i}`,
              "{subject} expands to characters a channel name cannot hold",
            );
          return { pattern: expanded, publish };
        });

  return { subject: body.subject, channels, ...(body.metadata ? { metadata: body.metadata } : {}) };
}
