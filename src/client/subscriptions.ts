/** Which handlers want which channel; the list the client replays after a reconnect. */
import type { MessageFrame } from "../wire/protocol.ts";
import { callSafely } from "./emitter.ts";

/** Receives a channel's messages: the payload first, the whole frame (sender, time) second. */
export type MessageHandler = (data: unknown, message: MessageFrame) => void;

export class Subscriptions {
  readonly #channels = new Map<string, Set<MessageHandler>>();

  has(channel: string): boolean {
    return this.#channels.has(channel);
  }

  add(channel: string, handler: MessageHandler): void {
    let handlers = this.#channels.get(channel);
    if (!handlers) this.#channels.set(channel, (handlers = new Set()));
    handlers.add(handler);
  }

  /** Removes one handler, or all of the channel's; true when the channel has none left. */
  remove(channel: string, handler?: MessageHandler): boolean {
    const handlers = this.#channels.get(channel);
    if (!handlers) return false;
    if (handler) handlers.delete(handler);
    else handlers.clear();
    if (handlers.size > 0) return false;
    this.#channels.delete(channel);
    return true;
  }

  channels(): string[] {
    return [...this.#channels.keys()];
  }

  dispatch(message: MessageFrame): void {
    const handlers = this.#channels.get(message.channel);
    if (!handlers) return;
    for (const handler of [...handlers])
      callSafely((m: MessageFrame) => handler(m.data, m), message);
  }
}
