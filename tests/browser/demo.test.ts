/** The demo page in Debian's Chromium: a person's view of tickets, sessions and channels. */
import { afterEach, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { chromiumAvailable, inCI, launchBrowser } from "./chromium.ts";

/** Chromium start-up plus two pages on two shared cores needs more than the default. */
const BROWSER_TEST_TIMEOUT_MS = 60_000;
const UI_WAIT_MS = 15_000;
const runs = chromiumAvailable || inCI;

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

/** Chromium throttles background tabs; the tab a person is using is the one in front. */
async function connectAs(page: Page, origin: string, subject: string): Promise<void> {
  await page.bringToFront();
  await page.goto(`${origin}/`);
  await page.fill("#api-key", API_KEY);
  await page.fill("#subject", subject);
  await page.click("#connect");
  await page.locator("#state", { hasText: /^open$/ }).waitFor({ timeout: UI_WAIT_MS });
}

async function subscribe(page: Page, channel: string): Promise<void> {
  await page.bringToFront();
  await page.fill("#channel", channel);
  await page.click("#subscribe");
  await page
    .locator("#log li", { hasText: `subscribed to ${channel}` })
    .waitFor({ timeout: UI_WAIT_MS });
}

describe("the demo page in Chromium", () => {
  test.skipIf(!runs)(
    "connects through the SDK, shows the welcome, and keeps the key and ticket out of every URL",
    async () => {
      gw = await startGateway();
      await using browser = await launchBrowser(gw.url);
      const page = await browser.newPage();

      await connectAs(page, gw.url, "alice");
      expect(await page.textContent("#session-info")).toContain("as alice");
      await page.click("#ping");
      await page.locator("#log li", { hasText: "pong after" }).waitFor({ timeout: UI_WAIT_MS });
      await browser.screenshot(page, "demo-connected");

      expect(browser.requested.some((u) => u.endsWith("/ws"))).toBe(true);
      expect(browser.requested.filter((u) => u.includes(API_KEY) || u.includes("tgt_"))).toEqual(
        [],
      );
      expect(browser.blocked).toEqual([]);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  test.skipIf(!runs)(
    "reports a refused upgrade without a status, since a browser cannot see one",
    async () => {
      gw = await startGateway({ config: { allowedOrigins: ["https://app.example.com"] } });
      await using browser = await launchBrowser(gw.url);
      const page = await browser.newPage();
      await page.goto(`${gw.url}/`);
      await page.fill("#api-key", API_KEY);
      await page.click("#connect");

      const refusal = page.locator("#log li.error", { hasText: "handshake_failed" }).first();
      await refusal.waitFor({ timeout: UI_WAIT_MS });
      const text = await refusal.textContent();
      expect(text).toContain("403 origin not allowed");
      expect(text).toContain("did not reveal the HTTP status");
      await browser.screenshot(page, "demo-refused");
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  test.skipIf(!runs)(
    "two pages exchange messages on a channel",
    async () => {
      gw = await startGateway();
      await using browser = await launchBrowser(gw.url);
      const alice = await browser.newPage();
      const bob = await browser.newPage();
      await connectAs(alice, gw.url, "alice");
      await connectAs(bob, gw.url, "bob");
      await subscribe(alice, "demo:lobby");
      await subscribe(bob, "demo:lobby");

      await bob.bringToFront();
      await bob.fill("#message", "hello from bob");
      await bob.click("#publish");
      await alice
        .locator("#messages li", { hasText: "bob: hello from bob" })
        .waitFor({ timeout: UI_WAIT_MS });
      await alice.bringToFront();
      await alice.fill("#message", "hi bob");
      await alice.press("#message", "Enter");
      await bob
        .locator("#messages li", { hasText: "alice: hi bob" })
        .waitFor({ timeout: UI_WAIT_MS });

      await browser.screenshot(alice, "demo-alice");
      await browser.screenshot(bob, "demo-bob");
      expect(browser.blocked).toEqual([]);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  test.skipIf(!runs)(
    "a revoked session closes with 4001 and the page stays disconnected",
    async () => {
      gw = await startGateway();
      await using browser = await launchBrowser(gw.url);
      const page = await browser.newPage();
      await connectAs(page, gw.url, "carol");

      await page.click("#revoke");
      await page.locator("#state", { hasText: /^closed$/ }).waitFor({ timeout: UI_WAIT_MS });
      const log = await page.textContent("#log");
      expect(log).toContain("closed 4001");
      expect(log).toContain("revoked");
      await browser.screenshot(page, "demo-revoked");
      expect(await page.isEnabled("#connect")).toBe(true);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );
});
