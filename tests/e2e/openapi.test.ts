/** The served OpenAPI document: valid, equal to the committed openapi.yaml, docs usable offline. */
import { describe, expect, test } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { startGateway } from "../helpers/gateway.ts";
import { servedSpec, specToYaml } from "../helpers/openapi.ts";

type Spec = {
  paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
};

describe("the OpenAPI document", () => {
  test("equals the committed openapi.yaml (run `bun run openapi` after changing a route)", async () => {
    const committed = await Bun.file(new URL("../../openapi.yaml", import.meta.url)).text();
    expect(specToYaml(await servedSpec())).toBe(committed);
  });

  test("passes an OpenAPI 3 validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(await servedSpec());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test("describes GET /ws with its 101 and refusal statuses", async () => {
    const spec = (await servedSpec()) as Spec;
    const ws = spec.paths["/ws"]?.get;
    expect(Object.keys(ws?.responses ?? {})).toEqual(
      expect.arrayContaining(["101", "400", "401", "403", "426", "503"]),
    );
  });

  test("declares the bearer scheme on every /api route", async () => {
    const spec = (await servedSpec()) as Spec;
    const apiOps = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith("/api/"))
      .flatMap(([, item]) => Object.values(item));
    expect(apiOps.length).toBeGreaterThan(0);
    for (const op of apiOps) {
      expect(op.security).toEqual([{ bearer: [] }]);
      expect(op.responses["401"]).toBeDefined();
    }
  });

  test("lists no WebSocket pseudo-method and no docs routes", async () => {
    const spec = (await servedSpec()) as Spec;
    for (const [path, item] of Object.entries(spec.paths)) {
      expect(Object.keys(item)).not.toContain("ws");
      expect(path.startsWith("/swagger")).toBe(false);
    }
  });
});

describe("Swagger UI", () => {
  test("loads its assets from ticketgate itself, never a CDN", async () => {
    await using gw = await startGateway();
    const html = await (await fetch(`${gw.url}/swagger`)).text();

    const external = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1]!)
      .filter((u) => /^(https?:)?\/\//.test(u));
    expect(external).toEqual([]);
    expect(html).toContain("/swagger/assets/swagger-ui-bundle.js");

    const js = await fetch(`${gw.url}/swagger/assets/swagger-ui-bundle.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toStartWith("text/javascript");
    expect((await js.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${gw.url}/swagger/assets/swagger-ui.css`)).status).toBe(200);
  });

  test("points the page at the served spec", async () => {
    await using gw = await startGateway();
    const html = await (await fetch(`${gw.url}/swagger`)).text();
    expect(html).toContain('"url":"/swagger/json"');
    expect((await fetch(`${gw.url}/swagger/json`)).status).toBe(200);
  });

  test("an unknown asset is a 404", async () => {
    await using gw = await startGateway();
    const res = await fetch(`${gw.url}/swagger/assets/..%2F..%2Fpackage.json`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
