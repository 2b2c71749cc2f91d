/**
 * The client SDK as one browser module. Browsers cannot load `.ts`, and the single binary
 * has no source tree to read, so the SDK's sources are embedded as text (the literal
 * imports below are what `bun build --compile` embeds) and bundled in memory by Bun.build.
 */
import * as wire from "../wire/protocol.ts";

/** Where the embedded sources sit in Bun.build's in-memory file map. */
const VIRTUAL_ROOT = "/ticketgate-client";

/** A text import's module; TypeScript types it as the TS module, hence the one cast below. */
type TextModule = { default: string };

/**
 * Every SDK file in client/, one literal import each, keyed by its path below src/. The one
 * file it uses outside client/, wire/protocol.ts, comes from wireModuleSource() below. A file
 * missing here fails the build (and its test).
 */
const SOURCES: Record<string, () => Promise<unknown>> = {
  "client/index.ts": () => import("../client/index.ts", { with: { type: "text" } }),
  "client/client.ts": () => import("../client/client.ts", { with: { type: "text" } }),
  "client/backoff.ts": () => import("../client/backoff.ts", { with: { type: "text" } }),
  "client/connection.ts": () => import("../client/connection.ts", { with: { type: "text" } }),
  "client/emitter.ts": () => import("../client/emitter.ts", { with: { type: "text" } }),
  "client/errors.ts": () => import("../client/errors.ts", { with: { type: "text" } }),
  "client/frames.ts": () => import("../client/frames.ts", { with: { type: "text" } }),
  "client/options.ts": () => import("../client/options.ts", { with: { type: "text" } }),
  "client/renewal.ts": () => import("../client/renewal.ts", { with: { type: "text" } }),
  "client/requests.ts": () => import("../client/requests.ts", { with: { type: "text" } }),
  "client/subscriptions.ts": () => import("../client/subscriptions.ts", { with: { type: "text" } }),
  "client/tickets.ts": () => import("../client/tickets.ts", { with: { type: "text" } }),
  "client/urls.ts": () => import("../client/urls.ts", { with: { type: "text" } }),
};

/**
 * wire/protocol.ts for the bundle, written from its live exports instead of embedded as text.
 * Bun 1.4.4's `bun build --compile` keeps one copy of a file however it is imported (seen
 * with a two-file reproduction; no upstream issue found yet): the server imports this one as
 * code, so a text import of it yields the module, not its source. The file holds constants and types only, and the browser build needs
 * only the constants. Can go back to a text import once the binary gets the text.
 */
function wireModuleSource(): string {
  let source = "";
  for (const [name, value] of Object.entries(wire)) {
    const json = JSON.stringify(value);
    if (json === undefined)
      throw new TypeError(`wire/protocol.ts exports ${name}, which is not plain data`);
    source += `export const ${name} = ${json};\n`;
  }
  return source;
}

/** Bundles the SDK into one minified ES module for browsers. */
export async function buildBrowserSdk(): Promise<string> {
  const files: Record<string, string> = {};
  for (const [name, load] of Object.entries(SOURCES)) {
    const source = ((await load()) as TextModule).default; // boundary: Bun's text loader yields a string
    files[`${VIRTUAL_ROOT}/${name}`] = source;
  }
  files[`${VIRTUAL_ROOT}/wire/protocol.ts`] = wireModuleSource();

  const result = await Bun.build({
    entrypoints: [`${VIRTUAL_ROOT}/client/index.ts`],
    files,
    target: "browser",
    format: "esm",
    minify: true,
  });
  const output = result.outputs[0];
  if (!result.success || !output)
    throw new AggregateError(result.logs, "building the browser SDK failed");
  return "/* ticketgate client SDK (browser build) */\n" + (await output.text());
}
