/** A ready-made `getTicket`: POST to an endpoint that answers `{ "ticket": "tgt_..." }`. */
import { TicketgateError } from "./errors.ts";

export interface FetchTicketOptions {
  /** Request headers, e.g. a CSRF token; cookies go along per `credentials`. */
  headers?: Record<string, string>;
  /** A JSON body to send; by default none. */
  body?: unknown;
  /** Default `same-origin`. */
  credentials?: RequestCredentials;
  /** Statuses meaning no ticket will ever come (signed out): the client stops. Default 401, 403. */
  stopOn?: number[];
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

const DEFAULT_STOP_ON = [401, 403];

/**
 * Builds a `getTicket` that asks an HTTP endpoint for a ticket. Any other failure throws,
 * which the client counts as a failed attempt and retries with back-off.
 *
 * @example
 * ```ts
 * const client = new TicketgateClient({
 *   url: "/ws",
 *   getTicket: fetchTicket("/api/realtime-ticket", { headers: { "x-csrf-token": csrf } }),
 * });
 * ```
 */
export function fetchTicket(
  endpoint: string | URL,
  options: FetchTicketOptions = {},
): () => Promise<string | null> {
  const stopOn = options.stopOn ?? DEFAULT_STOP_ON;
  return async () => {
    const doFetch = options.fetch ?? globalThis.fetch;
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await doFetch(endpoint, {
      method: "POST",
      headers,
      credentials: options.credentials ?? "same-origin",
      cache: "no-store",
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    if (stopOn.includes(response.status)) return null;
    if (!response.ok)
      throw new TicketgateError(
        "ticket_unavailable",
        `The ticket endpoint answered ${response.status}.`,
      );

    const answer = (await response.json()) as { ticket?: unknown };
    if (typeof answer?.ticket !== "string")
      throw new TicketgateError(
        "ticket_unavailable",
        "The ticket endpoint's answer has no ticket field.",
      );
    return answer.ticket;
  };
}
