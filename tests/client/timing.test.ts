/** The SDK's two timing rules with the randomness pinned: reconnect back-off and renewal. */
import { describe, expect, test } from "bun:test";
import { backoffDelay } from "../../src/client/backoff.ts";
import { renewalDelay } from "../../src/client/renewal.ts";

const BACKOFF = { initialDelayMs: 500, maxDelayMs: 30_000 };
const NOW = Date.UTC(2026, 5, 1);
const inSeconds = (s: number) => new Date(NOW + s * 1000).toISOString();

describe("reconnect back-off", () => {
  test.each([
    [0, 500],
    [1, 1000],
    [3, 4000],
    [6, 30_000],
    [60, 30_000],
  ])("retry %i draws below a ceiling of %i ms", (attempt, ceiling) => {
    expect(backoffDelay(attempt, BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(attempt, BACKOFF, () => 0.999_999)).toBe(ceiling - 1);
  });

  test("draws uniformly between zero and the ceiling (full jitter)", () => {
    expect(backoffDelay(2, BACKOFF, () => 0.5)).toBe(1000);
  });
});

describe("renewal before the maximum age", () => {
  test("an hour-long session renews between 60 s and 30 s before it ends", () => {
    expect(renewalDelay(inSeconds(3600), NOW, () => 0)).toBe(3540_000);
    expect(renewalDelay(inSeconds(3600), NOW, () => 0.999_999)).toBe(3569_999);
  });

  test("a short session renews in the last fifth of its life", () => {
    expect(renewalDelay(inSeconds(10), NOW, () => 0)).toBe(8000);
    expect(renewalDelay(inSeconds(10), NOW, () => 0.999_999)).toBe(8999);
  });

  test.each([
    ["no expiry was announced", undefined],
    ["the expiry is already past (a clock running ahead)", inSeconds(-5)],
    ["less than a second is left", inSeconds(0.5)],
  ])("does not renew when %s", (_why, expiresAt) => {
    expect(renewalDelay(expiresAt, NOW, () => 0.5)).toBeUndefined();
  });
});
