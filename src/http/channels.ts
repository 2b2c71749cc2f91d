/**
 * Server-side channel routes: push a message to every subscriber on every node, and see who
 * is subscribed. Channel names are checked against the grammar (400 otherwise).
 */
import { Elysia, t } from "elysia";
import type { Logger } from "../observability/logger.ts";
import type { GatewayMetrics } from "../observability/metrics.ts";
import type { Hub } from "../realtime/hub.ts";
import type { Clock } from "../tickets/clock.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import { ChannelParams, viaHub } from "./admin-common.ts";
import { readJsonBody } from "./body.ts";
import { jsonBodyDoc } from "./openapi-refine.ts";
import { ProblemSchema } from "./schemas.ts";

export interface ChannelRouteDeps {
  hub: Hub;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
}

const PushBodySchema = t.Object(
  { data: t.Unknown({ description: "Any JSON value, delivered as the message's `data`." }) },
  { additionalProperties: false },
);

const PushResponseSchema = t.Object(
  {
    channel: t.String(),
    ts: t.String({ format: "date-time", description: "The `ts` subscribers see on the message." }),
  },
  { additionalProperties: false },
);

const PresenceSchema = t.Object(
  {
    channel: t.String(),
    sessions: t.Integer({ description: "Sessions subscribed, over every node that answered." }),
    subjects: t.Array(
      t.Object({ subject: t.String(), sessions: t.Integer() }, { additionalProperties: false }),
      { description: "Sorted by subject; at most 1000." },
    ),
    truncated: t.Boolean({ description: "True when more subjects are subscribed than listed." }),
  },
  { additionalProperties: false },
);

const guarded = { 400: ProblemSchema, 401: ProblemSchema, 503: ProblemSchema };

export function channelRoutes(deps: ChannelRouteDeps) {
  const { hub, clock } = deps;

  return new Elysia({ name: "channel-routes", normalize: false })
    .post(
      "/api/v1/channels/:channel/messages",
      async ({ params, body, set }) => {
        const ts = new Date(clock.now()).toISOString();
        const { channel } = params;
        const frame: ServerFrame = {
          type: "message",
          channel,
          data: body.data,
          from: "server",
          ts,
        };
        await viaHub("push", hub.push(params.channel, JSON.stringify(frame)), deps);
        set.status = 202;
        return { channel: params.channel, ts };
      },
      {
        params: ChannelParams,
        parse: readJsonBody,
        body: PushBodySchema,
        response: { 202: PushResponseSchema, ...guarded, 413: ProblemSchema, 415: ProblemSchema },
        detail: {
          tags: ["channels"],
          summary: "Push a message to a channel's subscribers on every node",
          description:
            'Subscribers receive `{"type":"message","channel","data","from":"server","ts"}`. Delivery is at most ' +
            "once and not stored: a session that is not subscribed at that moment never sees it. Bodies are JSON of " +
            "at most 16 KiB.",
          security: [{ bearer: [] }],
          ...jsonBodyDoc(PushBodySchema),
        },
      },
    )
    .get(
      "/api/v1/channels/:channel/presence",
      async ({ params }) => {
        const presence = await viaHub("presence", hub.presence(params.channel), deps);
        return { channel: params.channel, ...presence };
      },
      {
        params: ChannelParams,
        response: { 200: PresenceSchema, ...guarded },
        detail: {
          tags: ["channels"],
          summary: "Who is subscribed to a channel, across nodes",
          description:
            "Counts the sessions subscribed to this exact channel on every live node. With several nodes, a node " +
            "that does not answer within one second is left out of the counts.",
          security: [{ bearer: [] }],
        },
      },
    );
}
