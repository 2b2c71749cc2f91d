/**
 * The one place where failures become HTTP answers: every error leaves as problem+json with
 * a fixed detail. Validation errors name the failing field; unexpected errors are logged
 * (redacted) and answered 500 without their message.
 */
import { Elysia } from "elysia";
import type { Logger } from "../observability/logger.ts";
import { HTTPError, PROBLEM_CONTENT_TYPE, problemBody, type Problem } from "./problem.ts";

export function errorMapper(logger: Logger) {
  return new Elysia({ name: "error-mapper" }).onError(
    { as: "global" },
    ({ code, error, set, request }) => {
      const answer = (
        status: number,
        detail: string,
        errors?: Problem["errors"],
        headers: Record<string, string> = {},
      ) => {
        set.status = status;
        Object.assign(
          set.headers,
          { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" },
          headers,
        );
        return problemBody(status, detail, errors);
      };

      // Elysia wraps whatever a body parser throws in its own ParseError; ours rides in `cause`.
      const own = error instanceof HTTPError ? error : causeOf(error);
      if (own) return answer(own.status, own.detail, own.errors, own.headers);

      switch (code) {
        case "VALIDATION": {
          const fields = error.all.slice(0, 10).map((e) => {
            const field = "path" in e && e.path ? e.path : wholeValue(error.type);
            return { field, message: readableMessage(field, "message" in e ? e.message : "") };
          });
          const first = fields[0];
          const detail = first
            ? `Field ${first.field}: ${first.message}.`
            : "The request body is invalid.";
          return answer(400, detail, fields);
        }
        case "PARSE":
          return answer(400, "The request body is not valid JSON.");
        case "NOT_FOUND":
          return answer(404, "No such route.");
        case "INVALID_COOKIE_SIGNATURE":
        case "INVALID_FILE_TYPE":
          return answer(400, "The request is invalid.");
        default:
          logger.error("unhandled error", { method: request.method, error });
          return answer(500, "The server failed to handle the request.");
      }
    },
  );
}

function causeOf(error: unknown): HTTPError | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof HTTPError ? cause : undefined;
}

/** What a validation error without a path is about: the body, or a query parameter. */
function wholeValue(type: string): string {
  return type === "body" ? "/" : "query";
}

/**
 * TypeBox names a failed union only as "Expected union value"; a channel entry is the one
 * union a client writes, so it gets a sentence that says what would have been accepted.
 * Messages never quote the value, so nothing a client sent is echoed.
 */
function readableMessage(field: string, message: string): string {
  if (/^\/channels\/\d+$/.test(field) && message === "Expected union value")
    return 'must be a pattern string or an object {"pattern": string, "publish"?: boolean}';
  return message || "is invalid";
}
