/** What the SDK makes of a refused upgrade, per runtime: the status where one is revealed. */
import { describe, expect, test } from "bun:test";
import { HANDSHAKE_FAILED_MESSAGE } from "../../src/client/index.ts";
import { handshakeFailed, redactTickets, statusFromErrorText } from "../../src/client/errors.ts";

describe("the status of a refused upgrade", () => {
  test.each([
    [
      "is read from Bun's error text",
      "WebSocket connection to 'ws://127.0.0.1:4030/ws' failed: Expected 101 status code: 401",
      401,
    ],
    ["is read from the ws package's error text", "Unexpected server response: 403", 403],
    [
      "is read from Deno's error text",
      "NetworkError: failed to connect to WebSocket: Invalid status code: 429",
      429,
    ],
    ["is unknown when the runtime gives no text, as browsers do", "", undefined],
    [
      "is not mistaken for a port number",
      "WebSocket connection to 'ws://127.0.0.1:401/ws' failed: Failed to connect",
      undefined,
    ],
  ])("%s", (_title, text, status) => {
    expect(statusFromErrorText(text)).toBe(status);
  });

  test("without a status, the error lists every possible cause and says it cannot tell", () => {
    const error = handshakeFailed(undefined, 1006, "");
    expect(error.message).toBe(HANDSHAKE_FAILED_MESSAGE);
    for (const status of ["401", "403", "429", "503"]) expect(error.message).toContain(status);
    expect(error.message).toContain("cannot tell");
    expect(error.status).toBeUndefined();
  });

  test("with a status, the error names it and its meaning", () => {
    const error = handshakeFailed(503, 1006, "Expected 101 status code: 503");
    expect(error.status).toBe(503);
    expect(error.message).toContain("HTTP 503");
    expect(error.message).toContain("ticket store is unavailable");
  });

  test("masks tickets inside runtime text", () => {
    expect(redactTickets(`failed: ws://h/ws?ticket=tgt_${"x".repeat(43)}`)).toBe(
      "failed: ws://h/ws?ticket=tgt_[redacted]",
    );
  });
});
