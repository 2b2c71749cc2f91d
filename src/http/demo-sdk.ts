/**
 * The client SDK as one browser module. Browsers cannot load `.ts`, and the single binary
 * has no source tree to read, so the SDK's sources are embedded as text (the literal
 * imports below are what `bun build --compile` embeds) and bundled in memory by Bun.build.
 */

/** Where the embedded sources sit in Bun.build's in-memory file map. */
const VIRTUAL_ROOT = "/ticketgate-client";

/** A text import's module; TypeScript types it as the TS module, hence the one cast below. */
type TextModule = { default: string };

/** Every SDK file, one literal import each. A file missing here fails the build (and its test). */
const SOURCES: Record<string, () => Promise<unknown>> = {
  "index.ts": () => import("../client/index.ts", { with: { type: "text" } }),
  "client.ts": () => import("../client/client.ts", { with: { type: "text" } }),
  "backoff.ts": () => import("../client/backoff.ts", { with: { type: "text" } }),
  "connection.ts": () => import("../client/connection.ts", { with: { type: "text" } }),
  "emitter.ts": () => import("../client/emitter.ts", { with: { type: "text" } }),
  "errors.ts": () => import("../client/errors.ts", { with: { type: "text" } }),
  "frames.ts": () => import("../client/frames.ts", { with: { type: "text" } }),
  "options.ts": () => import("../client/options.ts", { with: { type: "text" } }),
  "renewal.ts": () => import("../client/renewal.ts", { with: { type: "text" } }),
  "requests.ts": () => import("../client/requests.ts", { with: { type: "text" } }),
  "subscriptions.ts": () => import("../client/subscriptions.ts", { with: { type: "text" } }),
  "tickets.ts": () => import("../client/tickets.ts", { with: { type: "text" } }),
  "urls.ts": () => import("../client/urls.ts", { with: { type: "text" } }),
};

/** Bundles the SDK into one minified ES module for browsers. */
export async function buildBrowserSdk(): Promise<string> {
  const files: Record<string, string> = {};
  for (const [name, load] of Object.entries(SOURCES)) {
    const source = ((await load()) as TextModule).default; // boundary: Bun's text loader yields a string
    files[`${VIRTUAL_ROOT}/${name}`] = source;
  }

  const result = await Bun.build({
    entrypoints: [`${VIRTUAL_ROOT}/index.ts`],
    files,
    target: "browser",
    format: "esm",
    minify: true,
  });
  const output = result.outputs[0];
  if (!result.success || !output) throw new AggregateError(result.logs, "building the browser SDK failed");
  return "/* ticketgate client SDK (browser build) */\n" + (await output.text());
}
