/**
 * The channel requests of a session: subscribe, unsubscribe and publish. Permissions come
 * from the session's grants only (channels/grammar.ts); a refusal is an `error` frame and the
 * session stays up.
 */
import { isAllowed, isChannelName } from "../channels/grammar.ts";
import type { Clock } from "../tickets/clock.ts";
import type { RequestId, ServerFrame } from "../wire/protocol.ts";
import type { Hub } from "./hub.ts";
import { withId, type Replies } from "./replies.ts";
import type { Socket } from "./session.ts";

/** Channels one session may be subscribed to at once; bounds Bun's topic memory per session. */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 256;

export interface CommandDeps {
  hub: Hub;
  clock: Clock;
  replies: Replies;
}

/** A client frame whose `type` is a string and whose `id`, if any, is usable; fields unchecked. */
export type RawFrame = { type: string; id?: RequestId; [field: string]: unknown };

const FORBIDDEN = "This session's ticket does not grant that channel.";
const NO_CHANNEL =
  "This frame needs a channel name: 1-128 characters from A-Z a-z 0-9 _ - . : @ =.";
const NO_PUBLISH = "A publish frame needs a channel name and a data field.";
const TOO_MANY = `A session may hold ${MAX_SUBSCRIPTIONS_PER_SESSION} subscriptions.`;

export function subscribe(ws: Socket, frame: RawFrame, { replies }: CommandDeps): void {
  const { id } = frame;
  const channel = channelOf(frame);
  if (channel === undefined) return replies.error(ws, "bad_frame", NO_CHANNEL, id);
  if (!isAllowed(ws.data.channels, channel, "subscribe"))
    return replies.error(ws, "forbidden", FORBIDDEN, id);

  if (!ws.isSubscribed(channel)) {
    if (ws.data.subscriptions >= MAX_SUBSCRIPTIONS_PER_SESSION)
      return replies.error(ws, "too_many_subscriptions", TOO_MANY, id);
    ws.subscribe(channel);
    ws.data.subscriptions++;
  }
  replies.send(ws, withId({ type: "subscribed", channel }, id));
}

export function unsubscribe(ws: Socket, frame: RawFrame, { replies }: CommandDeps): void {
  const { id } = frame;
  const channel = channelOf(frame);
  if (channel === undefined) return replies.error(ws, "bad_frame", NO_CHANNEL, id);
  if (!ws.isSubscribed(channel))
    return replies.error(
      ws,
      "not_subscribed",
      "This session is not subscribed to that channel.",
      id,
    );

  ws.unsubscribe(channel);
  ws.data.subscriptions--;
  replies.send(ws, withId({ type: "unsubscribed", channel }, id));
}

/**
 * Serializes the message once and hands it to the hub, which delivers it here through Bun's
 * topic publish and to other nodes in order. The publisher receives its own message too
 * when it is subscribed, before its `published` reply.
 */
export function publish(ws: Socket, frame: RawFrame, { hub, clock, replies }: CommandDeps): void {
  const { id } = frame;
  const channel = channelOf(frame);
  if (channel === undefined || !Object.hasOwn(frame, "data"))
    return replies.error(ws, "bad_frame", NO_PUBLISH, id);
  if (!isAllowed(ws.data.channels, channel, "publish"))
    return replies.error(ws, "forbidden", FORBIDDEN, id);

  const message: ServerFrame = {
    type: "message",
    channel,
    data: frame.data,
    from: { subject: ws.data.subject, session: ws.data.id },
    ts: new Date(clock.now()).toISOString(),
  };
  hub.publish(channel, JSON.stringify(message));
  replies.send(ws, withId({ type: "published", channel }, id));
}

/**
 * The frame's channel if it is a channel name, else undefined. Checked before any of Bun's
 * topic calls: Bun 1.4.4's `isSubscribed` throws on an empty name, and a throw there left the
 * client without a reply.
 */
function channelOf(frame: RawFrame): string | undefined {
  const { channel } = frame;
  return typeof channel === "string" && isChannelName(channel) ? channel : undefined;
}
