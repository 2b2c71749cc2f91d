/**
 * Session limits: their allowed ranges, the start-up check, and the options Bun's WebSocket
 * handler takes from them. Bun clamps or wraps values outside its own ranges silently (a
 * `maxPayloadLength` above 2^32 wraps), so anything outside these ranges is refused here.
 */
import type { WebSocketHandler } from "bun";
import type { SessionData } from "./session-data.ts";

export interface SessionLimits {
  /** Largest frame a client may send, bytes; larger closes the session with 1009. */
  maxFrameBytes: number;
  /** Sustained frames per second per session (burst: twice that). */
  messageRate: number;
  /** Concurrent sessions one subject may hold on one node. */
  maxSessionsPerSubject: number;
  /** Seconds without a frame or a pong before a dead peer is dropped. */
  idleTimeout: number;
  /** Seconds after which a session is closed with 4002 unless re-authenticated. */
  sessionMaxAge: number;
}

const MIB = 1024 * 1024;

/** Inclusive ranges, with the setting that carries each limit, for messages. */
export const LIMIT_RANGES: Record<keyof SessionLimits, { min: number; max: number; env: string }> =
  {
    maxFrameBytes: { min: 128, max: 16 * MIB, env: "TICKETGATE_MAX_FRAME_BYTES" },
    messageRate: { min: 1, max: 100_000, env: "TICKETGATE_MESSAGE_RATE" },
    maxSessionsPerSubject: { min: 1, max: 1_000_000, env: "TICKETGATE_MAX_SESSIONS_PER_SUBJECT" },
    // Bun rounds 1-7 up to 8 and 0 turns dead-peer detection off; neither is offered.
    idleTimeout: { min: 8, max: 960, env: "TICKETGATE_IDLE_TIMEOUT" },
    sessionMaxAge: { min: 1, max: 7 * 86_400, env: "TICKETGATE_SESSION_MAX_AGE" },
  };

/** Room for a `message` frame's envelope around data that filled a whole client frame. */
const ENVELOPE_BYTES = 1024;
/** A consumer may fall this many of the largest frames behind before it counts as slow. */
const FRAMES_OF_SLACK = 8;
/** Floor of the outgoing buffer per session, so small frame limits still allow bursts. */
const MIN_BACKPRESSURE_BYTES = MIB;

/** Throws one line naming the setting when a limit is not a whole number in its range. */
export function checkLimits(limits: SessionLimits): void {
  for (const [key, range] of Object.entries(LIMIT_RANGES)) {
    const value = limits[key as keyof SessionLimits];
    if (!Number.isInteger(value) || value < range.min || value > range.max)
      throw new RangeError(
        `${range.env} must be a whole number from ${range.min} to ${range.max}, got ${value}`,
      );
  }
}

/** Largest frame the server itself sends: a message carrying a full client frame. */
export function maxOutgoingFrameBytes(maxFrameBytes: number): number {
  return maxFrameBytes + ENVELOPE_BYTES;
}

/** Bytes queued for one session beyond which Bun drops its messages and we close it (4003). */
export function backpressureLimitFor(maxFrameBytes: number): number {
  return Math.max(MIN_BACKPRESSURE_BYTES, FRAMES_OF_SLACK * maxOutgoingFrameBytes(maxFrameBytes));
}

/**
 * Bun's WebSocket options. Bun drops (never queues) what is sent past the backpressure limit;
 * it does not close by itself (that would close without a code), the session does, with 4003.
 * Pings keep a live but silent client open: the idle timeout only drops dead peers.
 */
export function websocketOptions(limits: SessionLimits): Partial<WebSocketHandler<SessionData>> {
  return {
    maxPayloadLength: limits.maxFrameBytes,
    idleTimeout: limits.idleTimeout,
    sendPings: true,
    backpressureLimit: backpressureLimitFor(limits.maxFrameBytes),
    closeOnBackpressureLimit: false,
    perMessageDeflate: false,
    publishToSelf: false,
  };
}
