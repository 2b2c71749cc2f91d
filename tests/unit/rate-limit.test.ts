/** The per-session token bucket: burst, refill, debt, and when a session is closed. */
import { describe, expect, test } from "bun:test";
import { rateLimitFor, takeToken } from "../../src/realtime/rate-limit.ts";

const limit = rateLimitFor(5); // 5 per second, burst 10
const fresh = (now = 0) => ({ tokens: limit.burst, refilledAt: now });
const take = (bucket: { tokens: number; refilledAt: number }, n: number, now = 0) =>
  Array.from({ length: n }, () => takeToken(bucket, limit, now));

describe("message rate limit", () => {
  test("the burst is twice the rate per second", () => {
    expect(limit).toEqual({ perSecond: 5, burst: 10 });
  });

  test("admits a full burst at once, then refuses", () => {
    const bucket = fresh();
    expect(take(bucket, 10)).toEqual(Array(10).fill("ok"));
    expect(takeToken(bucket, limit, 0)).toBe("limited");
  });

  test("closes a session that keeps sending a whole burst past the refusals", () => {
    const bucket = fresh();
    take(bucket, 10);
    expect(take(bucket, 10)).toEqual(Array(10).fill("limited"));
    expect(takeToken(bucket, limit, 0)).toBe("close");
  });

  test("refills at the rate, so a client that backs off recovers", () => {
    const bucket = fresh();
    take(bucket, 15); // five frames of debt
    expect(takeToken(bucket, limit, 1000)).toBe("limited"); // one second paid five back, the frame costs one
    expect(takeToken(bucket, limit, 3000)).toBe("ok");
  });

  test("never stores more than one burst, however long the pause", () => {
    const bucket = fresh();
    expect(take(bucket, 10, 3_600_000)).toEqual(Array(10).fill("ok"));
    expect(takeToken(bucket, limit, 3_600_000)).toBe("limited");
  });

  test("a clock that steps back grants nothing", () => {
    const bucket = fresh(10_000);
    take(bucket, 10, 10_000);
    expect(takeToken(bucket, limit, 0)).toBe("limited");
  });
});
