/**
 * Bun WebSocket handlers for authenticated sessions: welcome on open, exactly one reply per
 * client frame, bookkeeping on close. Sessions were authenticated by the gateway before the
 * 101, so nothing here waits for credentials except an in-band reauth.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import type { Clock } from "../tickets/clock.ts";
import type { TicketStore } from "../tickets/store.ts";
import { CloseCode, type RequestId, type ServerErrorCode } from "../wire/protocol.ts";
import { CloseReason, closeCodeLabel } from "./close-codes.ts";
import { publish, subscribe, unsubscribe, type RawFrame } from "./commands.ts";
import type { Hub } from "./hub.ts";
import { takeToken, type RateLimit } from "./rate-limit.ts";
import { reauthenticate, wireGrants } from "./reauth.ts";
import type { SessionRegistry } from "./registry.ts";
import { createReplies, withId } from "./replies.ts";
import type { SessionData } from "./session-data.ts";

export type Socket = ServerWebSocket<SessionData>;

export interface SessionDeps {
  logger: Logger;
  metrics: GatewayMetrics;
  registry: SessionRegistry;
  hub: Hub;
  store: TicketStore;
  clock: Clock;
  rate: RateLimit;
  /** Maximum session age in ms; a reauth starts it again. */
  maxAgeMs: number;
}

const RATE_LIMITED = "Too many frames; slow down or the session will be closed.";
const NOT_JSON = "Frames must be JSON.";
const NOT_A_FRAME = "A frame is a JSON object with a string type.";

export function createSessionHandlers(deps: SessionDeps): WebSocketHandler<SessionData> {
  const { logger, metrics, registry, clock, rate } = deps;
  const replies = createReplies(metrics);
  const commands = { hub: deps.hub, clock, replies };
  const reauthDeps = { ...deps, replies };

  return {
    open(ws) {
      const d = ws.data;
      const now = clock.now();
      d.expiresAt = now + deps.maxAgeMs;
      d.tokens = rate.burst;
      d.refilledAt = now;
      if (!registry.add(ws)) {
        ws.close(CloseCode.revoked, CloseReason.revoked);
        return;
      }
      replies.send(ws, {
        type: "welcome",
        session: d.id,
        subject: d.subject,
        channels: wireGrants(d),
        metadata: d.metadata ?? null,
        expires_at: new Date(d.expiresAt).toISOString(),
      });
    },

    message(ws, raw) {
      metrics.messagesIn.inc();
      if (typeof raw !== "string") {
        ws.close(CloseCode.unsupportedData, CloseReason.unsupportedData);
        return;
      }

      const decision = takeToken(ws.data, rate, clock.now());
      if (decision === "close") {
        ws.close(CloseCode.policyViolation, CloseReason.rateLimited);
        return;
      }
      const parsed = parseFrame(raw);
      if (decision === "limited") {
        replies.error(ws, "rate_limited", RATE_LIMITED, parsed.id);
        return;
      }
      if (!parsed.ok) {
        replies.error(
          ws,
          parsed.code,
          parsed.code === "bad_json" ? NOT_JSON : NOT_A_FRAME,
          parsed.id,
        );
        return;
      }
      const frame = parsed.frame;

      switch (frame.type) {
        case "ping":
          return replies.send(ws, withId({ type: "pong" as const }, frame.id));
        case "subscribe":
          return subscribe(ws, frame, commands);
        case "unsubscribe":
          return unsubscribe(ws, frame, commands);
        case "publish":
          return publish(ws, frame, commands);
        case "reauth":
          reauthenticate(ws, frame, reauthDeps).catch((error: unknown) => {
            logger.error("reauth failed", { session: ws.data.id, error });
            replies.error(ws, "reauth_failed", "The ticket could not be checked; retry.", frame.id);
          });
          return;
        default:
          replies.error(ws, "unknown_type", "Unknown frame type.", frame.id);
      }
    },

    close(ws, code) {
      registry.remove(ws);
      metrics.sessionsClosed.inc({ code: closeCodeLabel(code) });
      const d = ws.data;
      const duration_ms = Date.now() - d.openedAt;
      logger.info("session closed", { session: d.id, subject: d.subject, code, duration_ms });
    },
  };
}

/** A loosely checked client frame, or the error code that refuses it; both carry a usable id. */
type ParsedFrame =
  | { ok: true; frame: RawFrame; id?: RequestId }
  | { ok: false; code: ServerErrorCode; id?: RequestId };

function parseFrame(raw: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: "bad_json" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, code: "bad_frame" };
  const frame = value as { type?: unknown; id?: unknown };
  const id = requestId(frame.id);
  // An id that cannot be echoed is refused, not dropped: the client would wait for a reply
  // carrying it that never comes.
  if (id === undefined && frame.id !== undefined) return { ok: false, code: "bad_frame" };
  if (typeof frame.type !== "string") return { ok: false, code: "bad_frame", id };
  return { ok: true, frame: frame as RawFrame, id };
}

/**
 * An id the reply can echo as sent: a string or a finite number. JSON reads `1e400` as
 * Infinity and would write it back as null, which matches nothing the client sent.
 */
function requestId(value: unknown): RequestId | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
