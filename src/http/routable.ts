/**
 * Requests as Elysia's router can read them. Elysia 1.4.30 finds a request's path at the
 * first "/" from index 11 of its URL, assuming "http://" and a host of three characters or
 * more. A shorter Host ("x", "ab") or an empty one (Bun then hands over a bare "/path") made
 * the router and ticketgate's own path checks read different paths, which once let /api
 * requests skip the credential guard. Such requests get a canonical origin here, before any
 * part of the app looks at them, so every reader sees the same path.
 */

/** Origin given to requests whose own would mislead the router; never shown to clients. */
const CANONICAL_ORIGIN = "http://ticketgate.internal";
/** Where Elysia 1.4.30's router starts looking for the path's first slash. */
const ROUTER_PATH_OFFSET = 11;

/** The request itself when the router reads its path right; otherwise a canonical copy. */
export function routableRequest(request: Request): Request {
  const url = request.url;
  const scheme = url.startsWith("http://") ? 7 : url.startsWith("https://") ? 8 : -1;
  const slash = scheme > 0 ? url.indexOf("/", scheme) : -1;
  if (slash >= ROUTER_PATH_OFFSET) return request;

  const rest = slash >= 0 ? url.slice(slash) : scheme > 0 ? "/" : url;
  const pathAndQuery = rest.startsWith("/") ? rest : "/" + rest;
  return new Request(CANONICAL_ORIGIN + pathAndQuery, request);
}
