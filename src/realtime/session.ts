/**
 * Bun WebSocket handlers for authenticated sessions: welcome on open, one reply per client
 * frame, bookkeeping on close. Sessions were authenticated by the gateway before the 101,
 * so nothing here ever waits for credentials.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { CloseCode } from "./close-codes.ts";
import type { ErrorCode, RequestId, ServerFrame } from "./protocol.ts";
import type { SessionData } from "./session-data.ts";

export type Socket = ServerWebSocket<SessionData>;

export interface SessionDeps {
  logger: Logger;
  metrics: GatewayMetrics;
}

export function createSessionHandlers({ logger, metrics }: SessionDeps): WebSocketHandler<SessionData> {
  const send = (ws: Socket, frame: ServerFrame) => {
    metrics.messagesOut.inc();
    return ws.send(JSON.stringify(frame));
  };

  const fail = (ws: Socket, code: ErrorCode, message: string, id?: RequestId) =>
    send(ws, id === undefined ? { type: "error", code, message } : { type: "error", code, message, id });

  return {
    open(ws) {
      metrics.sessionsLive.add(1);
      const d = ws.data;
      send(ws, {
        type: "welcome",
        session: d.id,
        subject: d.subject,
        channels: d.channels.map((g) => (g.publish ? g.pattern : { pattern: g.pattern, publish: false })) as never,
        metadata: d.metadata ?? null,
      });
    },

    message(ws, raw) {
      metrics.messagesIn.inc();
      if (typeof raw !== "string") {
        ws.close(CloseCode.unsupportedData, "text frames only");
        return;
      }

      const frame = parseFrame(raw);
      if (typeof frame === "string") {
        fail(ws, frame, frame === "bad_json" ? "Frames must be JSON." : "A frame is a JSON object with a string type.");
        return;
      }

      switch (frame.type) {
        case "ping":
          send(ws, frame.id === undefined ? { type: "pong" } : { type: "pong", id: frame.id });
          return;
        default:
          fail(ws, "unknown_type", "Unknown frame type.", frame.id);
      }
    },

    close(ws, code) {
      metrics.sessionsLive.add(-1);
      const d = ws.data;
      logger.info("session closed", { session: d.id, subject: d.subject, code, duration_ms: Date.now() - d.openedAt });
    },
  };
}

/** A client frame whose `type` is a string and whose `id`, if any, is usable; fields unchecked. */
type RawFrame = { type: string; id?: RequestId; [field: string]: unknown };

/** A loosely checked client frame, or the error code that refuses it. */
function parseFrame(raw: string): RawFrame | ErrorCode {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return "bad_json";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "bad_frame";
  const frame = value as { type?: unknown; id?: unknown };
  if (typeof frame.type !== "string") return "bad_frame";
  if (frame.id !== undefined && typeof frame.id !== "string" && typeof frame.id !== "number") delete frame.id;
  return frame as RawFrame;
}
