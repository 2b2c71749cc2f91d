/**
 * Gating for tests that need the shared Redis CI starts: they run when TICKETGATE_REDIS_URL
 * is set, skip loudly when a developer has none, and fail in CI, which must never skip them.
 */
import { describe, test } from "bun:test";

export const REDIS_URL = process.env.TICKETGATE_REDIS_URL;

/** A key prefix no other test uses, so tests sharing one Redis never see each other. */
export function uniquePrefix(): string {
  return `tg-test-${crypto.randomUUID()}:`;
}

export function describeWithRedis(title: string, body: (url: string) => void): void {
  if (REDIS_URL) {
    describe(title, () => body(REDIS_URL));
  } else if (process.env.CI === "true") {
    test(`${title}: has a Redis to run against in CI`, () => {
      throw new Error("CI=true but TICKETGATE_REDIS_URL is not set: these tests did not run");
    });
  } else {
    console.warn(
      `REDIS TESTS SKIPPED (${title}): set TICKETGATE_REDIS_URL=redis://127.0.0.1:<port>`,
    );
    describe.skip(title, () => test("needs Redis", () => {}));
  }
}
