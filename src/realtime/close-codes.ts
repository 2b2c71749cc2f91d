/** WebSocket close codes ticketgate uses; 4xxx are ours, documented in the README. */
export const CloseCode = {
  /** Server shutting down (RFC 6455). */
  goingAway: 1001,
  /** A binary frame arrived; the protocol is JSON text only (RFC 6455 "unsupported data"). */
  unsupportedData: 1003,
  /** The session kept breaking a policy, e.g. the message rate, after being warned. */
  policyViolation: 1008,
  /** A frame larger than the configured maximum (RFC 6455 "message too big"). */
  messageTooBig: 1009,
  /** The session was revoked by the operator: do not reconnect with the same identity. */
  revoked: 4001,
  /** The session reached its maximum age: fetch a fresh ticket and reconnect. */
  sessionExpired: 4002,
  /** The consumer could not keep up with outgoing traffic and its buffer hit the limit. */
  slowConsumer: 4003,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** The reason text sent with each of our close codes; short, fixed, never request data. */
export const CloseReason = {
  revoked: "revoked",
  sessionExpired: "session expired",
  slowConsumer: "slow consumer",
  rateLimited: "rate limit exceeded",
  sessionCap: "too many sessions for this subject",
  unsupportedData: "text frames only",
} as const;

/** A bounded label for the close-code metric: our codes by name, the rest by class. */
export function closeCodeLabel(code: number): string {
  for (const [name, value] of Object.entries(CloseCode)) if (value === code) return name;
  if (code === 1000) return "normal";
  if (code === 1005) return "no_status";
  if (code === 1006) return "abnormal";
  return code >= 4000 ? "application" : "other";
}
