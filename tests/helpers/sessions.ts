/** Small helpers for session tests: an open session past its welcome, admin calls, polling. */
import { API_KEY } from "./gateway.ts";
import { openSocket, type TestSocket } from "./ws-client.ts";

export type Frame = Record<string, unknown>;

export interface Session extends TestSocket {
  welcome: Frame;
  /** Sends a frame and resolves with the next one received. */
  request(frame: Frame): Promise<Frame>;
}

/** Mints a ticket on `minter` and opens a session with it on `wsUrl`, past the welcome. */
export async function openSession(
  minter: { mint(body?: Record<string, unknown>): Promise<string> },
  wsUrl: string,
  body: Record<string, unknown>,
): Promise<Session> {
  const socket = openSocket(`${wsUrl}?ticket=${await minter.mint(body)}`);
  const welcome = await socket.next();
  if (welcome.type !== "welcome")
    throw new Error(`expected welcome, got ${JSON.stringify(welcome)}`);
  return Object.assign(socket, {
    welcome,
    request(frame: Frame) {
      socket.send(frame);
      return socket.next();
    },
  });
}

/** An authenticated admin call; resolves with the status and the parsed body (if any). */
export async function admin(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = API_KEY,
  // The body is JSON from the wire, whose shape the tests assert: typed loosely on purpose.
): Promise<{ status: number; type: string | null; body: any }> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (e.g. /metrics): keep the text.
  }
  return { status: res.status, type: res.headers.get("content-type"), body: parsed };
}

/** Polls `check` until it returns true or `timeoutMs` passes; for real network events only. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 3000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(20);
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}
