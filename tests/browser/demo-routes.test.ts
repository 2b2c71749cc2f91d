/** The demo page's HTTP side: headers, the browser build of the SDK, the off switch. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
afterEach(async () => {
  await gw?.stop();
});

describe("the demo page", () => {
  test("is served at / with a strict Content-Security-Policy and nosniff", async () => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}/`);

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).not.toContain("unsafe");
  });

  test("holds no inline script or style, which its policy would block", async () => {
    gw = await startGateway();
    const html = await (await fetch(`${gw.url}/`)).text();

    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  test.each([
    ["/demo/demo.js", "text/javascript"],
    ["/demo/demo.css", "text/css"],
    ["/demo/sdk.js", "text/javascript"],
  ])("serves %s as %s with nosniff", async (path, type) => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}${path}`);

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith(type);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("the browser build of the SDK is a working ES module", async () => {
    gw = await startGateway();
    const dir = mkdtempSync(join(tmpdir(), "ticketgate-sdk-"));
    try {
      const file = join(dir, "sdk.js");
      writeFileSync(file, await (await fetch(`${gw.url}/demo/sdk.js`)).text());
      const sdk = (await import(file)) as typeof import("../../src/client/index.ts");
      const client = new sdk.TicketgateClient({
        url: gw.wsUrl,
        getTicket: () => gw.mint(),
        reconnect: false,
      });
      try {
        expect((await client.connect()).subject).toBe("alice");
      } finally {
        client.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("is left out of the OpenAPI document", async () => {
    gw = await startGateway();
    const spec = (await (await fetch(`${gw.url}/swagger/json`)).json()) as {
      paths: Record<string, unknown>;
    };

    const paths = Object.keys(spec.paths);
    expect(paths).toContain("/api/v1/tickets");
    expect(paths.filter((p) => p === "/" || p.startsWith("/demo"))).toEqual([]);
  });

  test.each(["/", "/demo/sdk.js", "/demo/demo.js"])(
    "answers %s with a 404 problem when the demo is off",
    async (path) => {
      gw = await startGateway({ config: { demo: false } });
      const res = await fetch(`${gw.url}${path}`);

      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    },
  );
});
