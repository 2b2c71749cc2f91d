/**
 * A raw HTTP/1.1 exchange over node:net, because browsers and Bun's WebSocket only see a
 * refused upgrade as an error plus close 1006: the status and headers are asserted here.
 * The exchange is the conformance suite's own; this file keeps the tests' shorter call by port.
 */
import { rawRequest as exchange, type Answer } from "../../src/conformance/client.ts";

export { upgradeHeaders } from "../../src/conformance/client.ts";

export type RawResponse = Answer;

/** A refusing gateway on localhost closes at once; a short wait for it keeps the suite quick. */
const CLOSE_GRACE_MS = 100;

/** Sends one request to 127.0.0.1 and reads the answer's head (and body, for non-101 answers). */
export function rawRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
  timeoutMs = 3000,
): Promise<RawResponse> {
  return exchange(
    { base: `http://127.0.0.1:${port}`, timeoutMs },
    path,
    headers,
    method,
    CLOSE_GRACE_MS,
  );
}
