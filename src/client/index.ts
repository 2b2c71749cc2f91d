/**
 * ticketgate's client SDK: standard `fetch` and `WebSocket` only, so it runs unchanged in
 * browsers, Bun, Deno and Node (on Node 20, pass a WebSocket class such as `ws`'s).
 *
 * @example
 * ```ts
 * import { TicketgateClient } from "ticketgate/client";
 *
 * const client = new TicketgateClient({
 *   url: "wss://rt.example.com/ws",
 *   getTicket: () => fetch("/my-backend/ticket", { method: "POST" }).then((r) => r.json()),
 * });
 * await client.connect();
 * ```
 */
export { TicketgateClient } from "./client.ts";
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
export type { TicketPlacement, WebSocketConstructor, WebSocketLike } from "./connection.ts";
export { HANDSHAKE_FAILED_MESSAGE, TicketgateError, type TicketgateErrorCode } from "./errors.ts";
export {
  CloseCode,
  SUBPROTOCOL,
  type ChannelPermission,
  type ClientFrame,
  type MessageFrame,
  type MessageSource,
  type ReauthedFrame,
  type ReplyFrame,
  type ServerErrorCode,
  type ServerFrame,
  type WelcomeFrame,
} from "../wire/protocol.ts";
export type {
  ClientEvents,
  ClientOptions,
  ConnectionState,
  ReconnectOptions,
  Subscription,
  TicketSource,
} from "./options.ts";
export type { MessageHandler } from "./subscriptions.ts";
export { fetchTicket, type FetchTicketOptions } from "./tickets.ts";
