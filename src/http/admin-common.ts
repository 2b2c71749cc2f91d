/** Schemas and error mapping shared by the admin routes (channels, sessions). */
import { t } from "elysia";
import { CHANNEL_NAME_PATTERN } from "../channels/grammar.ts";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import { HubUnavailableError } from "../realtime/hub.ts";
import { isValidSubject, MAX_SUBJECT_LENGTH } from "../tickets/ticket.ts";
import { HTTPError } from "./problem.ts";

export const SESSION_ID_PATTERN = "^s_[0-9a-f]{32}$";

export const ChannelParams = t.Object(
  {
    channel: t.String({
      pattern: CHANNEL_NAME_PATTERN,
      description: "A channel name: 1-128 of A-Z a-z 0-9 _ - . : @ = (no patterns).",
      examples: ["chat:lobby"],
    }),
  },
  { additionalProperties: false },
);

export const SubjectParams = t.Object(
  {
    subject: t.String({
      minLength: 1,
      maxLength: MAX_SUBJECT_LENGTH,
      description: "The subject, URL-encoded.",
    }),
  },
  { additionalProperties: false },
);

export const SessionParams = t.Object(
  {
    session: t.String({
      pattern: SESSION_ID_PATTERN,
      description: "A session id from welcome or the list.",
    }),
  },
  { additionalProperties: false },
);

export const SessionSchema = t.Object(
  {
    session: t.String({ examples: ["s_3f0c…"] }),
    subject: t.String(),
    node: t.String({ description: "The gateway node holding the session." }),
    opened_at: t.String({ format: "date-time" }),
    expires_at: t.String({
      format: "date-time",
      description: "When it closes with 4002 unless re-authenticated.",
    }),
    channels: t.Array(t.String(), { description: "Channels it is subscribed to." }),
  },
  { additionalProperties: false },
);

/** Throws the 400 a subject outside the mint route's rules gets. */
export function checkSubject(subject: string): void {
  if (!isValidSubject(subject))
    throw new HTTPError(400, "Field /subject: must hold printable characters only.", {}, [
      { field: "/subject", message: "must hold printable characters only" },
    ]);
}

/** Runs a hub call; an unreachable hub becomes a 503 problem, counted and logged. */
export async function viaHub<T>(
  op: string,
  call: Promise<T>,
  deps: { logger: Logger; metrics: GatewayMetrics },
): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof HubUnavailableError)) throw error;
    deps.metrics.hubFailures.inc({ op });
    deps.logger.warn("hub unavailable", { op, error });
    throw new HTTPError(503, "The cross-node hub is unavailable; retry shortly.", {
      "retry-after": "1",
    });
  }
}
