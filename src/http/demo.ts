/**
 * The demo page at `/` and its assets under `/demo/`: the flow a person can watch (key,
 * ticket, connect, subscribe, publish, revoke). The files are embedded as text so the
 * single binary serves them offline; the routes stay out of the OpenAPI document.
 */
import { Elysia } from "elysia";
import demoCss from "../../public/demo.css" with { type: "text" };
import demoJs from "../../public/demo.js" with { type: "text" };
import indexFile from "../../public/index.html" with { type: "text" };
import { buildBrowserSdk } from "./demo-sdk.ts";

export const DEMO_ASSETS = "/demo";

/**
 * Scripts and styles from this origin only, no inline code, no framing; sockets to any
 * ws(s) host because `'self'` does not cover the ws: scheme in every browser.
 */
export const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": DEMO_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const JS = "text/javascript; charset=utf-8";

/** With `type: "text"` Bun hands over the file's text; bun-types calls every .html import an HTMLBundle. */
const indexHtml = indexFile as unknown as string;

function answer(body: string, type: string, cache: string): Response {
  return new Response(body, {
    headers: { "content-type": type, "cache-control": cache, ...SECURITY_HEADERS },
  });
}

export function demoRoutes() {
  // Built on first request, once per app; the page is optional, so start-up does not pay for it.
  let sdk: Promise<string> | undefined;
  const hidden = { detail: { hide: true } };

  return new Elysia({ name: "demo" })
    .get("/", () => answer(indexHtml, "text/html; charset=utf-8", "no-cache"), hidden)
    .get(
      `${DEMO_ASSETS}/demo.css`,
      () => answer(demoCss, "text/css; charset=utf-8", "no-cache"),
      hidden,
    )
    .get(`${DEMO_ASSETS}/demo.js`, () => answer(demoJs, JS, "no-cache"), hidden)
    .get(
      `${DEMO_ASSETS}/sdk.js`,
      async () => {
        sdk ??= buildBrowserSdk();
        return answer(await sdk, JS, "no-cache");
      },
      hidden,
    );
}
