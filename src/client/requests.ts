/** Requests waiting for their one reply, matched by the `id` the SDK put on them. */
import type { ReplyFrame, RequestId } from "../wire/protocol.ts";
import { TicketgateError } from "./errors.ts";

interface Waiting {
  resolve(frame: ReplyFrame): void;
  reject(error: TicketgateError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingRequests {
  #nextId = 1;
  readonly #waiting = new Map<RequestId, Waiting>();

  /** Reserves an id and a promise of its reply; the promise rejects after `timeoutMs`. */
  create(timeoutMs: number): { id: number; reply: Promise<ReplyFrame> } {
    const id = this.#nextId++;
    const reply = new Promise<ReplyFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new TicketgateError("timeout", "The server did not answer the request in time."));
      }, timeoutMs);
      this.#waiting.set(id, { resolve, reject, timer });
    });
    return { id, reply };
  }

  /** Hands a reply to its request; false when no request waits for that id. */
  settle(frame: ReplyFrame): boolean {
    if (frame.id === undefined) return false;
    const waiting = this.#waiting.get(frame.id);
    if (!waiting) return false;
    this.#waiting.delete(frame.id);
    clearTimeout(waiting.timer);
    if (frame.type === "error")
      waiting.reject(new TicketgateError("server", frame.message, { serverCode: frame.code }));
    else waiting.resolve(frame);
    return true;
  }

  /** Fails every waiting request, e.g. when the session that carried them closed. */
  rejectAll(error: TicketgateError): void {
    for (const waiting of this.#waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.#waiting.clear();
  }

  get size(): number {
    return this.#waiting.size;
  }
}
