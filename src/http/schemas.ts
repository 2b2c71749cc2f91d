/** TypeBox schemas shared by routes and the OpenAPI document. */
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { MAX_SUBJECT_LENGTH } from "../tickets/ticket.ts";
import { MAX_BOUND_ORIGIN_LENGTH } from "../tickets/binding.ts";

/**
 * Elysia's `t.Integer` also accepts numeric strings (right for query strings), which shows
 * up in the spec as an `anyOf` with a string; JSON bodies and answers use plain integers.
 */
const Integer = Type.Integer;

export const ProblemSchema = t.Object(
  {
    type: t.String({ examples: ["about:blank"] }),
    title: t.String({ examples: ["Unauthorized"] }),
    status: Integer({ examples: [401] }),
    detail: t.String({ examples: ["A valid API key is required."] }),
    errors: t.Optional(
      t.Array(
        t.Object({ field: t.String(), message: t.String() }, { additionalProperties: false }),
        {
          description: "Which fields failed validation (400 only).",
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "RFC 9457 problem details (application/problem+json).",
  },
);

export const ChannelEntrySchema = t.Union(
  [
    t.String({
      minLength: 1,
      maxLength: 128,
      description: "A channel pattern granting subscribe and publish.",
      examples: ["chat:*"],
    }),
    t.Object(
      {
        pattern: t.String({ minLength: 1, maxLength: 128, examples: ["news:*"] }),
        publish: t.Optional(t.Boolean({ description: "false: subscribe-only.", default: true })),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      "Name characters A-Z a-z 0-9 _ - . : @ =; `{subject}` is replaced by the subject; one trailing `*` matches one or more name characters.",
  },
);

export const BindSchema = t.Object(
  {
    origin: t.Optional(
      t.String({
        minLength: 1,
        maxLength: MAX_BOUND_ORIGIN_LENGTH,
        description: "Only an upgrade with exactly this Origin header may redeem the ticket.",
        examples: ["https://app.example.com"],
      }),
    ),
    client_ip: t.Optional(
      t.String({
        minLength: 2,
        maxLength: 64,
        description:
          "Only an upgrade from this client address (IPv4 or IPv6) may redeem the ticket.",
        examples: ["203.0.113.7"],
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      "Binds the ticket to where it will be redeemed. An upgrade from elsewhere is refused with 403 and the ticket is burned.",
  },
);

export const MintBodySchema = t.Object(
  {
    subject: t.String({
      minLength: 1,
      maxLength: MAX_SUBJECT_LENGTH,
      description: "Who the session will act as: 1-256 printable characters.",
      examples: ["alice"],
    }),
    channels: t.Optional(
      t.Array(ChannelEntrySchema, {
        maxItems: 64,
        description: "Channel permissions; default none.",
      }),
    ),
    metadata: t.Optional(
      t.Object(
        {},
        {
          additionalProperties: true,
          description: "Any JSON object up to 4 KiB, handed to the session.",
        },
      ),
    ),
    ttl_seconds: t.Optional(
      Integer({
        minimum: 1,
        description: "Lifetime; default TICKETGATE_TICKET_TTL, at most TICKETGATE_TICKET_MAX_TTL.",
      }),
    ),
    bind: t.Optional(BindSchema),
  },
  { additionalProperties: false },
);

export const MintResponseSchema = t.Object(
  {
    ticket: t.String({
      description: "Opaque, single-use: tgt_ + 43 base64url characters.",
      examples: ["tgt_…"],
    }),
    expires_at: t.String({ format: "date-time", description: "ISO 8601, UTC." }),
    expires_in: Integer({ description: "Seconds until expiry." }),
  },
  { additionalProperties: false },
);
