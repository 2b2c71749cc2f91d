/**
 * What the server says when it closes a session. The codes themselves are wire vocabulary
 * and live in wire/protocol.ts, shared with the client SDK; the reason texts and the
 * metric labels are the server's own.
 */
import { CloseCode } from "../wire/protocol.ts";

/** The reason text sent with each of our close codes; short, fixed, never request data. */
export const CloseReason = {
  revoked: "revoked",
  sessionExpired: "session expired",
  slowConsumer: "slow consumer",
  rateLimited: "rate limit exceeded",
  sessionCap: "too many sessions for this subject",
  unsupportedData: "text frames only",
} as const;

/** A bounded label for the close-code metric: known codes by name, the rest by class. */
export function closeCodeLabel(code: number): string {
  for (const [name, value] of Object.entries(CloseCode)) if (value === code) return name;
  if (code === 1005) return "no_status";
  return code >= 4000 ? "application" : "other";
}
