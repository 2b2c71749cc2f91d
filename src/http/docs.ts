/**
 * OpenAPI document and Swagger UI at /swagger. Swagger UI's files are embedded from
 * swagger-ui-dist and served here, so the docs work offline and inside the single binary.
 */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import { websocketPath } from "./docs-websocket.ts";
import { refineSpec } from "./openapi-refine.ts";
import { HTTPError } from "./problem.ts";
import { ProblemSchema } from "./schemas.ts";

export const DOCS_PATH = "/swagger";
export const SPEC_PATH = `${DOCS_PATH}/json`;
/** Where the plugin serves its own, unrefined document; hidden from the spec itself. */
const RAW_SPEC_PATH = `${DOCS_PATH}/raw.json`;
const ASSETS = `${DOCS_PATH}/assets`;

const assets: Record<string, { file: string; type: string }> = {
  "swagger-ui-bundle.js": { file: swaggerBundle, type: "text/javascript; charset=utf-8" },
  "swagger-ui.css": { file: swaggerCss, type: "text/css; charset=utf-8" },
};

/**
 * Serves the refined document at /swagger/json. It is computed on first request from the
 * root app (routes are fixed once the server runs) and then kept.
 */
export function refinedSpecRoute(root: { handle(request: Request): Promise<Response> }) {
  let cached: unknown;
  return new Elysia({ name: "refined-spec" }).get(
    SPEC_PATH,
    async () => {
      cached ??= refineSpec(
        await (await root.handle(new Request(`http://localhost${RAW_SPEC_PATH}`))).json(),
      );
      return cached;
    },
    { detail: { hide: true } },
  );
}

export function docs(version: string) {
  return new Elysia({ name: "docs" })
    .get(
      `${ASSETS}/:name`,
      ({ params }) => {
        const asset = assets[params.name];
        if (!asset) throw new HTTPError(404, "No such asset.");
        return new Response(Bun.file(asset.file), {
          headers: { "content-type": asset.type, "cache-control": "public, max-age=86400" },
        });
      },
      { detail: { hide: true } },
    )
    .use(
      openapi({
        path: DOCS_PATH,
        specPath: RAW_SPEC_PATH,
        provider: "swagger-ui",
        exclude: { methods: ["options", "ws"], paths: [/^\/swagger/] },
        swagger: {
          // The plugin's types forbid `url`, but its page spreads these options after its own
          // `url`: this points Swagger UI at the refined document instead of the raw one.
          ...({ url: SPEC_PATH } as object),
          cdn: `${ASSETS}/swagger-ui-bundle.js`,
          theme: `${ASSETS}/swagger-ui.css`,
          autoDarkMode: false,
        },
        documentation: {
          info: {
            title: "ticketgate",
            version,
            description:
              "WebSocket gateway with short-lived, single-use tickets checked inside the upgrade. " +
              "A backend mints a ticket with `POST /api/v1/tickets`; the client opens `GET /ws` with it. " +
              "Every refusal is `application/problem+json`.",
          },
          tags: [
            { name: "tickets", description: "Minting tickets" },
            { name: "realtime", description: "The WebSocket endpoint" },
            { name: "channels", description: "Server push and presence" },
            { name: "sessions", description: "Live sessions and revocation" },
            { name: "operations", description: "Health, readiness and metrics" },
          ],
          components: {
            // JSON round trip drops TypeBox's symbol keys, leaving plain JSON Schema.
            schemas: { Problem: JSON.parse(JSON.stringify(ProblemSchema)) },
            securitySchemes: {
              bearer: {
                type: "http",
                scheme: "bearer",
                description: "An API key from TICKETGATE_API_KEYS.",
              },
            },
          },
          paths: { "/ws": websocketPath },
        },
      }),
    );
}
