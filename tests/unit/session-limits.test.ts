/** Limit settings are checked at start-up: absurd values are refused, never wrapped or clamped. */
import { describe, expect, test } from "bun:test";
import { createTicketgate } from "../../src/app.ts";
import { ApiKeyring } from "../../src/auth/api-keys.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import {
  backpressureLimitFor,
  checkLimits,
  LIMIT_RANGES,
  websocketOptions,
} from "../../src/realtime/limits.ts";
import { MemoryTicketStore } from "../../src/tickets/memory.ts";
import { API_KEY, DEFAULT_TEST_CONFIG } from "../helpers/gateway.ts";

const valid = {
  maxFrameBytes: 65_536,
  messageRate: 50,
  maxSessionsPerSubject: 16,
  idleTimeout: 120,
  sessionMaxAge: 3600,
};

describe("limit settings", () => {
  test("sensible values pass", () => {
    expect(() => checkLimits(valid)).not.toThrow();
  });

  test.each([
    ["maxFrameBytes", 2 ** 32 + 100, "TICKETGATE_MAX_FRAME_BYTES"],
    ["maxFrameBytes", 64, "TICKETGATE_MAX_FRAME_BYTES"],
    ["maxFrameBytes", 1.5e3 + 0.5, "TICKETGATE_MAX_FRAME_BYTES"],
    ["messageRate", 0, "TICKETGATE_MESSAGE_RATE"],
    ["maxSessionsPerSubject", Number.NaN, "TICKETGATE_MAX_SESSIONS_PER_SUBJECT"],
    ["idleTimeout", 4, "TICKETGATE_IDLE_TIMEOUT"],
    ["idleTimeout", 961, "TICKETGATE_IDLE_TIMEOUT"],
    ["sessionMaxAge", Infinity, "TICKETGATE_SESSION_MAX_AGE"],
  ])("refuses %s = %p, naming %s", (key, value, env) => {
    expect(() => checkLimits({ ...valid, [key]: value })).toThrow(env);
  });

  test("the app refuses to build with an absurd maxPayloadLength", () => {
    const build = () =>
      createTicketgate(
        { ...DEFAULT_TEST_CONFIG, maxFrameBytes: 2 ** 32 + 1 },
        {
          store: new MemoryTicketStore({ maxTickets: 10, sweepIntervalMs: 0 }),
          keyring: ApiKeyring.fromEntries([API_KEY]),
          logger: silentLogger,
          version: "test",
        },
      );
    expect(build).toThrow("TICKETGATE_MAX_FRAME_BYTES");
  });

  test("Bun's options follow the limits, and a full buffer drops rather than closes without a code", () => {
    const options = websocketOptions(valid);
    expect(options).toMatchObject({
      maxPayloadLength: 65_536,
      idleTimeout: 120,
      sendPings: true,
      closeOnBackpressureLimit: false,
    });
    expect(options.backpressureLimit).toBe(backpressureLimitFor(65_536));
  });

  test("the outgoing buffer holds several of the largest frames and at least 1 MiB", () => {
    expect(backpressureLimitFor(128)).toBe(1024 * 1024);
    expect(backpressureLimitFor(LIMIT_RANGES.maxFrameBytes.max)).toBeGreaterThan(
      4 * LIMIT_RANGES.maxFrameBytes.max,
    );
  });
});
