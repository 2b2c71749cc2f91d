/**
 * Corrections to the document @elysiajs/openapi 1.4.16 generates, applied once:
 * - error answers are `application/problem+json` referring to one `Problem` schema (the
 *   plugin writes `application/json` and inlines the schema at every status);
 * - request bodies are JSON only (the plugin also lists form encodings, which the API
 *   refuses with 415), and a body read by our capped parser keeps its schema, passed in
 *   `detail["x-json-body"]` because the plugin drops schemas of function parsers;
 * - answers get real descriptions instead of "Response for status N".
 */
import type { TSchema } from "@sinclair/typebox";

const DESCRIPTIONS: Record<string, string> = {
  "200": "OK",
  "201": "Created",
  "202": "Accepted",
  "204": "No Content",
  "400": "The request or its body is invalid; `errors` names the fields.",
  "401": "No valid credential; the answer carries `WWW-Authenticate: Bearer`.",
  "403": "The credential lacks the permission this needs.",
  "404": "Not found.",
  "413": "The body is larger than 16 KiB.",
  "415": "The body is not `application/json`.",
  "429": "Too many requests; see `Retry-After`.",
  "503": "A backing service is unavailable or full; see `Retry-After`.",
};

type Operation = {
  requestBody?: {
    content?: Record<string, { schema?: unknown }>;
    required?: boolean;
    description?: string;
  };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
  "x-json-body"?: unknown;
};

/** The schema as plain JSON Schema, for a route's `detail["x-json-body"]`. */
export function jsonBodyDoc(schema: TSchema): { "x-json-body": unknown } {
  return { "x-json-body": JSON.parse(JSON.stringify(schema)) };
}

export function refineSpec<T extends { paths?: Record<string, Record<string, Operation>> }>(
  spec: T,
): T {
  const copy = structuredClone(spec);
  for (const item of Object.values(copy.paths ?? {}))
    for (const op of Object.values(item)) refineOperation(op);
  return copy;
}

function refineOperation(op: Operation): void {
  if (op.requestBody) {
    const declared = op["x-json-body"] ?? Object.values(op.requestBody.content ?? {})[0]?.schema;
    op.requestBody = {
      ...op.requestBody,
      content: declared ? { "application/json": { schema: declared } } : {},
    };
    if (!op.requestBody.description) delete op.requestBody.description;
  }
  delete op["x-json-body"];

  for (const [status, response] of Object.entries(op.responses ?? {})) {
    const generic = !response.description || response.description.startsWith("Response for status");
    if (Number(status) >= 400) {
      op.responses![status] = {
        description:
          generic || response.description?.startsWith("RFC 9457")
            ? (DESCRIPTIONS[status] ?? "Error.")
            : response.description,
        content: {
          "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
        },
      };
    } else if (generic) {
      response.description = DESCRIPTIONS[status] ?? "OK";
    }
  }
}
