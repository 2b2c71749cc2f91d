/**
 * OpenAPI has no WebSocket operation, so `GET /ws` is described by hand: its query and
 * header parameters, the 101 answer, and every refusal status.
 */
import type { OpenAPIV3 } from "openapi-types";

const problem = (description: string) =>
  ({
    description,
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  }) satisfies OpenAPIV3.ResponseObject;

export const websocketPath: OpenAPIV3.PathItemObject = {
  get: {
    tags: ["realtime"],
    operationId: "openWebSocket",
    summary: "Open a WebSocket session with a ticket",
    description: [
      "Upgrades to a WebSocket after consuming the ticket. Offer the ticket **either** as `?ticket=` **or** as a",
      "`Sec-WebSocket-Protocol` entry beside `ticketgate.v1` (browsers: `new WebSocket(url, ['ticketgate.v1', ticket])`),",
      "which keeps it out of URLs and access logs. The server answers the sub-protocol `ticketgate.v1` and never echoes",
      "the ticket. The first frame after 101 is",
      '`{"type":"welcome","session","subject","channels","metadata","expires_at"}`.',
      "",
      "Frames are JSON text. Client → server: `ping`, `subscribe {channel}`, `unsubscribe {channel}`,",
      "`publish {channel, data}`, `reauth {ticket}`, each with an optional `id` echoed in its exactly one reply.",
      "Server → client: `welcome`, `pong`, `subscribed`, `unsubscribed`, `published`,",
      '`reauthed {channels, expires_at, dropped}`, `message {channel, data, from, ts}` (`from` is `"server"` or',
      "`{subject, session}`), and `error {code, message, id}` with code `bad_json`, `bad_frame`, `unknown_type`,",
      "`forbidden`, `rate_limited`, `not_subscribed`, `too_many_subscriptions` or `reauth_failed`; the session",
      "stays open after an error. Channels and their publish right come only from the ticket; `reauth` with a",
      "fresh ticket for the same subject restarts the maximum age and may only narrow the channels.",
      "",
      "Close codes: 1003 binary frame; 1008 kept sending past the rate limit; 1009 frame above",
      "TICKETGATE_MAX_FRAME_BYTES; 4001 revoked; 4002 maximum session age reached (fetch a new ticket);",
      "4003 slow consumer (the outgoing buffer filled; messages past it were dropped).",
    ].join("\n"),
    parameters: [
      {
        name: "ticket",
        in: "query",
        required: false,
        description: "The ticket, when not offered as a sub-protocol. Given twice: refused.",
        schema: { type: "string", pattern: "^tgt_[A-Za-z0-9_-]{43}$" },
      },
      {
        name: "Sec-WebSocket-Protocol",
        in: "header",
        required: false,
        description: "`ticketgate.v1, <ticket>`: the ticket as a sub-protocol entry.",
        schema: { type: "string" },
      },
    ],
    responses: {
      "101": { description: "Switching Protocols: the ticket was valid and is now used up." },
      "400": problem("Malformed handshake (e.g. a bad Sec-WebSocket-Key)."),
      "401": problem(
        "Ticket missing, malformed, unknown, expired, used, or given twice; one generic detail for all.",
      ),
      "403": problem("The Origin is not in TICKETGATE_ALLOWED_ORIGINS."),
      "405": problem("Method other than GET."),
      "426": problem("Not a WebSocket upgrade, or a WebSocket version other than 13."),
      "429": problem("The subject already holds its maximum number of sessions."),
      "503": problem("The ticket store is unavailable."),
    },
  },
};
