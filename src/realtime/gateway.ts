/**
 * The upgrade path: the one place where a ticket becomes a session. It runs on Bun's own
 * server beside the Elysia app (see README, "Why the upgrade bypasses Elysia"), does the
 * cheap checks first, consumes the ticket once, and only then answers 101. Every refusal is
 * a problem+json answer with `Connection: close`, so a refused socket never serves another
 * request.
 */
import type { Server } from "bun";
import { tooManyRequests, type AbuseMetrics } from "../abuse/limits.ts";
import type { Security } from "../auth/security.ts";
import type { Audit } from "../observability/audit.ts";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { problemResponse } from "../http/problem.ts";
import { bindableOrigin, checkBinding, unbindGrant } from "../tickets/binding.ts";
import type { TicketStore } from "../tickets/store.ts";
import { hashTicket, isWellFormedTicket, ticketLogId } from "../tickets/ticket.ts";
import { SUBPROTOCOL } from "../wire/protocol.ts";
import {
  checkUpgradeHeaders,
  findTicket,
  isOriginAllowed,
  type HandshakeRefusal,
} from "./handshake.ts";
import { newSessionData, type SessionData } from "./session-data.ts";

export interface GatewayDeps {
  store: TicketStore;
  logger: Logger;
  metrics: GatewayMetrics;
  allowedOrigins: readonly string[] | undefined;
  /** Credentials, client addresses and abuse limits. */
  security: Security;
  audit: Audit;
  abuseMetrics: AbuseMetrics;
  /** Decides whether a subject may open one more session; null admits it. */
  admit?: (subject: string) => string | null;
}

/** One generic sentence for every ticket refusal, upgrade or reauth, so the answer is no oracle. */
export const TICKET_REFUSED = "The ticket is missing, invalid, expired or already used.";

const DETAILS: Record<number, string> = {
  400: "The WebSocket handshake is malformed.",
  403: "This origin is not allowed to connect.",
  405: "Only GET opens a WebSocket.",
  426: "This endpoint only speaks WebSocket (version 13).",
};

/** For a bound ticket used elsewhere (upgrade or reauth); burned by then, so nothing is revealed. */
export const BOUND_REFUSED =
  "This ticket is bound to another origin or client address; it is no longer usable.";

const PROTOCOL_ANSWER = { "sec-websocket-protocol": SUBPROTOCOL };

export function createGateway(deps: GatewayDeps) {
  const { store, logger, metrics, allowedOrigins } = deps;

  const clientIp = (request: Request, server: Server<SessionData>) =>
    deps.security.clientIps.resolve(server.requestIP(request)?.address, request.headers);

  const refuse = (refusal: HandshakeRefusal, ip: string, extra: { ticket_id?: string } = {}) => {
    metrics.upgradesRefused.inc({ reason: refusal.reason });
    deps.audit.ticketRefused({ reason: refusal.reason, status: refusal.status, ip, ...extra });
    const headers: Record<string, string> = { connection: "close" };
    if (refusal.status === 426)
      Object.assign(headers, { upgrade: "websocket", "sec-websocket-version": "13" });
    if (refusal.status === 405) headers.allow = "GET";
    const bound = refusal.reason.startsWith("bound_");
    const detail =
      refusal.status === 401
        ? TICKET_REFUSED
        : bound
          ? BOUND_REFUSED
          : (DETAILS[refusal.status] ?? "Refused.");
    return problemResponse(refusal.status, detail, headers);
  };

  /** Answers a refusal, or upgrades and returns undefined (Bun then owns the socket). */
  return async function upgrade(
    request: Request,
    server: Server<SessionData>,
  ): Promise<Response | undefined> {
    // Resolved once: every answer below, refusal or session, records where it came from.
    const ip = clientIp(request, server);
    const bad = checkUpgradeHeaders(request);
    if (bad) return refuse(bad, ip);

    if (!isOriginAllowed(request.headers.get("origin"), allowedOrigins))
      return refuse({ status: 403, reason: "origin" }, ip);

    // Counted before the ticket is looked at, so guessing tickets costs the budget too.
    const budget = await deps.security.limits.takeUpgrade(ip);
    if (!budget.ok) {
      deps.abuseMetrics.limited.inc({ limit: "upgrade" });
      metrics.upgradesRefused.inc({ reason: "rate_limited" });
      deps.audit.ticketRefused({ reason: "rate_limited", status: 429, ip });
      return tooManyRequests("upgrade", budget.retryAfterSeconds, { connection: "close" });
    }

    const offer = findTicket(request.url, request.headers.get("sec-websocket-protocol"));
    if (typeof offer === "string") return refuse({ status: 401, reason: offer }, ip);
    if (!isWellFormedTicket(offer.ticket)) return refuse({ status: 401, reason: "malformed" }, ip);

    const hash = hashTicket(offer.ticket);
    // Wall-clock instant the ticket was presented: a revocation after it covers this session.
    const presentedAt = Date.now();
    const started = performance.now();
    const taken = await store.consume(hash);
    metrics.storeLatency.observe((performance.now() - started) / 1000);

    const ticketId = ticketLogId(hash);
    if (!taken.ok) {
      if (taken.reason === "unavailable") {
        metrics.upgradesRefused.inc({ reason: "store_unavailable" });
        logger.warn("upgrade refused", {
          status: 503,
          reason: "store_unavailable",
          ticket_id: ticketId,
        });
        deps.audit.ticketRefused({
          reason: "store_unavailable",
          status: 503,
          ip,
          ticket_id: ticketId,
        });
        return problemResponse(503, "The ticket store is unavailable.", {
          connection: "close",
          "retry-after": "1",
        });
      }
      return refuse({ status: 401, reason: taken.reason }, ip, {
        ticket_id: ticketId,
      });
    }

    // Checked after the consume on purpose: a bound ticket tried from elsewhere is burned, so
    // a thief gets one try and learns nothing it could use (docs/README-auth.md).
    const { grant, binding } = unbindGrant(taken.grant);
    const misplaced = checkBinding(binding, {
      origin: request.headers.get("origin"),
      clientIp: ip,
    });
    if (misplaced) return refuse({ status: 403, reason: misplaced }, ip, { ticket_id: ticketId });

    const capped = deps.admit?.(grant.subject);
    if (capped) {
      metrics.upgradesRefused.inc({ reason: "session_cap" });
      deps.audit.ticketRefused({ reason: "session_cap", status: 429, ip, ticket_id: ticketId });
      return problemResponse(429, capped, { connection: "close", "retry-after": "5" });
    }

    const peer = { origin: bindableOrigin(request.headers.get("origin")), clientIp: ip };
    const data = newSessionData(grant, peer, presentedAt);
    const headers = offer.protocolOffered ? PROTOCOL_ANSWER : undefined;
    if (!server.upgrade(request, { data, headers })) {
      logger.warn("upgrade failed after ticket check", { ticket_id: ticketId });
      return problemResponse(400, DETAILS[400]!, { connection: "close" });
    }

    metrics.ticketsRedeemed.inc();
    deps.audit.ticketRedeemed({ ticket_id: ticketId, session: data.id, subject: data.subject, ip });
    return undefined;
  };
}
