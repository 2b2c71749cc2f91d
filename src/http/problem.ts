/**
 * RFC 9457 problem details: the one shape of every refusal. Details are fixed phrases
 * chosen here, never text that carries request data back, so no secret can leak into one.
 */

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Which body fields failed validation, as JSON pointers with a short reason. */
  errors?: { field: string; message: string }[];
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** An error that carries its HTTP answer; thrown by handlers, rendered by the error hook. */
export class HTTPError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
    readonly errors?: Problem["errors"],
  ) {
    super(detail);
    this.name = "HTTPError";
  }
}

export function problemBody(status: number, detail: string, errors?: Problem["errors"]): Problem {
  const body: Problem = { type: "about:blank", title: TITLES[status] ?? "Error", status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

/** A ready Response for paths that answer outside Elysia's handler chain (the upgrade). */
export function problemResponse(
  status: number,
  detail: string,
  headers: Record<string, string> = {},
  errors?: Problem["errors"],
): Response {
  return new Response(JSON.stringify(problemBody(status, detail, errors)), {
    status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store", ...headers },
  });
}
