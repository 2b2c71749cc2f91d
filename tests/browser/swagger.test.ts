/** Swagger UI in Debian's Chromium with every origin but the server's blocked: the docs work offline. */
import { afterEach, expect, test } from "bun:test";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { chromiumAvailable, inCI, launchBrowser } from "./chromium.ts";

const BROWSER_TEST_TIMEOUT_MS = 60_000;
const UI_WAIT_MS = 20_000;

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

test.skipIf(!chromiumAvailable && !inCI)(
  "the Swagger page renders the ticket operation with only the server reachable",
  async () => {
    gw = await startGateway();
    await using browser = await launchBrowser(gw.url);
    const page = await browser.newPage();

    await page.goto(`${gw.url}/swagger`);
    const operation = page.locator(".opblock-post", { hasText: "/api/v1/tickets" });
    await operation.waitFor({ timeout: UI_WAIT_MS });
    expect(await operation.textContent()).toContain("Mint a single-use ticket");
    await browser.screenshot(page, "swagger");

    // Nothing the page needs lives elsewhere: what it tried to fetch outside was refused
    // and it rendered anyway. Listed so a new outside dependency shows up in the output.
    if (browser.blocked.length > 0) console.info("swagger asked for (blocked):", browser.blocked);
    expect(browser.requested.filter((u) => u.startsWith(gw!.url)).length).toBeGreaterThan(0);
  },
  BROWSER_TEST_TIMEOUT_MS,
);
