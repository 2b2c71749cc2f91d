/**
 * Debian's Chromium driven by playwright-core, locked to one server: every request to any
 * other origin is aborted and noted, and screenshots land in test-results/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = new URL("../../test-results/screenshots/", import.meta.url).pathname;

/** Flags that keep Chromium from phoning home, which this machine's closed network refuses. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const chromiumAvailable = existsSync(CHROMIUM);
export const inCI = process.env.CI === "true";

if (!chromiumAvailable) {
  const message = `${CHROMIUM} is missing: browser tests ${inCI ? "FAIL (CI)" : "SKIPPED"}; apt-get install -y chromium`;
  console.warn(`\n*** ${message} ***\n`);
}

export interface Browser extends AsyncDisposable {
  context: BrowserContext;
  /** Requests to anything but the server, aborted before they left. */
  blocked: string[];
  /** Every URL a page asked for, WebSocket URLs included. */
  requested: string[];
  newPage(): Promise<Page>;
  screenshot(page: Page, name: string): Promise<void>;
}

/** Launches Chromium with a fresh profile that may reach `serverOrigin` only. */
export async function launchBrowser(serverOrigin: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "ticketgate-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 900 },
  });
  const blocked: string[] = [];
  const requested: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === serverOrigin) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  mkdirSync(SCREENSHOTS, { recursive: true });

  return {
    context,
    blocked,
    requested,
    async newPage() {
      const page = await context.newPage();
      page.on("request", (request) => requested.push(request.url()));
      page.on("websocket", (socket) => requested.push(socket.url()));
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async [Symbol.asyncDispose]() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
