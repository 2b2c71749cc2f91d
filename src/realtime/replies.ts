/** Sending frames to one session: counted, serialized once, and never queued without bound. */
import type { ServerWebSocket } from "bun";
import type { GatewayMetrics } from "../observability/metrics.ts";
import {
  CloseCode,
  type RequestId,
  type ServerErrorCode,
  type ServerFrame,
} from "../wire/protocol.ts";
import { CloseReason } from "./close-codes.ts";
import type { SessionData } from "./session-data.ts";

/** Bun's `send` answer when the frame was dropped because the socket's buffer is full. */
const SEND_DROPPED = 0;
const OPEN = 1;

export interface Replies {
  send(ws: ServerWebSocket<SessionData>, frame: ServerFrame): void;
  error(
    ws: ServerWebSocket<SessionData>,
    code: ServerErrorCode,
    message: string,
    id?: RequestId,
  ): void;
}

export function createReplies(metrics: GatewayMetrics): Replies {
  const send = (ws: ServerWebSocket<SessionData>, frame: ServerFrame) => {
    if (ws.readyState !== OPEN) return;
    metrics.messagesOut.inc();
    // A dropped reply breaks "one reply per request": the consumer is too slow to keep.
    if (ws.send(JSON.stringify(frame)) === SEND_DROPPED)
      ws.close(CloseCode.slowConsumer, CloseReason.slowConsumer);
  };

  return {
    send,
    error(ws, code, message, id) {
      metrics.errorFrames.inc({ code });
      send(
        ws,
        id === undefined ? { type: "error", code, message } : { type: "error", code, message, id },
      );
    },
  };
}

/** Adds the request id to a reply only when the request carried one. */
export function withId<T extends object>(
  frame: T,
  id: RequestId | undefined,
): T & { id?: RequestId } {
  return id === undefined ? frame : { ...frame, id };
}
