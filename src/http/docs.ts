/**
 * OpenAPI document and Swagger UI at /swagger. Swagger UI's files are embedded from
 * swagger-ui-dist and served here, so the docs work offline and inside the single binary.
 */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import { websocketPath } from "./docs-websocket.ts";
import { ProblemSchema } from "./schemas.ts";

export const DOCS_PATH = "/swagger";
const ASSETS = `${DOCS_PATH}/assets`;

const assets: Record<string, { file: string; type: string }> = {
  "swagger-ui-bundle.js": { file: swaggerBundle, type: "text/javascript; charset=utf-8" },
  "swagger-ui.css": { file: swaggerCss, type: "text/css; charset=utf-8" },
};

export function docs(version: string) {
  return new Elysia({ name: "docs" })
    .get(
      `${ASSETS}/:name`,
      ({ params, status }) => {
        const asset = assets[params.name];
        if (!asset) return status(404, "not found");
        return new Response(Bun.file(asset.file), {
          headers: { "content-type": asset.type, "cache-control": "public, max-age=86400" },
        });
      },
      { detail: { hide: true } },
    )
    .use(
      openapi({
        path: DOCS_PATH,
        provider: "swagger-ui",
        exclude: { methods: ["options", "ws"], paths: [/^\/swagger/] },
        swagger: { cdn: `${ASSETS}/swagger-ui-bundle.js`, theme: `${ASSETS}/swagger-ui.css`, autoDarkMode: false },
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
            { name: "operations", description: "Health and readiness" },
          ],
          components: {
            // JSON round trip drops TypeBox's symbol keys, leaving plain JSON Schema.
            schemas: { Problem: JSON.parse(JSON.stringify(ProblemSchema)) },
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", description: "An API key from TICKETGATE_API_KEYS." },
            },
          },
          paths: { "/ws": websocketPath },
        },
      }),
    );
}
