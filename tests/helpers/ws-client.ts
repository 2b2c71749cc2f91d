/** A WebSocket client that buffers every frame from the moment it exists, for tests. */

export interface TestSocket extends AsyncDisposable {
  ws: WebSocket;
  /** Resolves with the next JSON frame (buffered ones first). */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  send(frame: unknown): void;
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
}

/**
 * Bun's client also takes `{ protocols, headers }`; the DOM typings this project compiles
 * with know only the protocols form, so the constructor is retyped here, at the boundary.
 */
const BunWebSocket = WebSocket as unknown as new (
  url: string,
  options: Bun.WebSocketOptions,
) => WebSocket;

/** `headers` sets what a browser would (an `Origin`), which Bun's client lets a test choose. */
export function openSocket(
  url: string,
  protocols?: string[],
  headers?: Record<string, string>,
): TestSocket {
  const ws =
    headers === undefined
      ? new WebSocket(url, protocols)
      : new BunWebSocket(url, { protocols, headers });
  const queue: Record<string, unknown>[] = [];
  const waiters: ((frame: Record<string, unknown>) => void)[] = [];

  ws.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data)) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else queue.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("close", () => reject(new Error("closed before open")));
  });
  opened.catch(() => {});

  return {
    ws,
    closed,
    opened,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    next(timeoutMs = 3000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no frame in time")), timeoutMs);
        waiters.push((frame) => {
          clearTimeout(timer);
          resolve(frame);
        });
      });
    },
    async [Symbol.asyncDispose]() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    },
  };
}
