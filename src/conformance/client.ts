/**
 * Black-box clients for the conformance suite: the HTTP API through fetch, and raw upgrade
 * requests over TCP or TLS, because a WebSocket client only sees a refused upgrade as an
 * error. Nothing here imports the server: the suite runs against any deployment.
 */
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

export interface Target {
  /** `http(s)://host[:port]`, no trailing slash. */
  base: string;
  key: string;
  timeoutMs: number;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after answering (raw requests only). */
  closed: boolean;
}

export async function callApi(
  target: Target,
  path: string,
  options: { method?: string; bearer?: string | null; body?: string; contentType?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "application/json",
  };
  const bearer = options.bearer === undefined ? target.key : options.bearer;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(`${target.base}${path}`, {
    method: options.method ?? "POST",
    headers,
    body: options.body,
    signal: AbortSignal.timeout(target.timeoutMs),
  });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: await res.text(),
    closed: false,
  };
}

/** Mints a ticket with the target's key; throws with the status when it cannot. */
export async function mint(target: Target, body: Record<string, unknown> = {}): Promise<string> {
  const res = await callApi(target, "/api/v1/tickets", {
    body: JSON.stringify({ subject: "conformance", ...body }),
  });
  const ticket =
    res.status === 201 ? (JSON.parse(res.body) as { ticket?: unknown }).ticket : undefined;
  if (typeof ticket !== "string") throw new Error(`could not mint a ticket (HTTP ${res.status})`);
  return ticket;
}

export function upgradeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  return {
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": key,
    ...extra,
  };
}

/** How long to wait after a refusal for the server to close the connection. */
const CLOSE_GRACE_MS = 300;

/**
 * Sends one raw request and reads the answer's head (and body for non-101 answers). After a
 * refusal it waits up to `closeGraceMs` for the server's close, so `closed` can be checked.
 */
export function rawRequest(
  target: Pick<Target, "base" | "timeoutMs">,
  path: string,
  headers: Record<string, string>,
  method = "GET",
  closeGraceMs = CLOSE_GRACE_MS,
): Promise<Answer> {
  const url = new URL(target.base);
  const tls = url.protocol === "https:";
  const port = Number(url.port || (tls ? 443 : 80));
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? connectTls({ host: url.hostname, port, servername: url.hostname })
      : connectTcp({ host: url.hostname, port });
    let data = Buffer.alloc(0);
    let closed = false;
    let settled = false;
    const timer = setTimeout(
      () => finish(new Error("no complete answer in time")),
      target.timeoutMs,
    );

    const finish = (result: Answer | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const parse = (): Answer | null => {
      const text = data.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return null;
      const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
      const head: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(":");
        if (i > 0) head[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const status = Number(statusLine.split(" ")[1]);
      const body = data.subarray(end + 4).toString("utf8");
      if (status !== 101 && Buffer.byteLength(body) < Number(head["content-length"] ?? 0))
        return null;
      return { status, headers: head, body, closed };
    };

    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const answer = parse();
      if (answer?.status === 101) finish(answer);
      else if (answer) setTimeout(() => finish({ ...answer, closed }), closeGraceMs);
    });
    // The server's FIN already means it closed, even before the socket is fully torn down.
    socket.on("end", () => {
      closed = true;
    });
    socket.on("close", () => {
      closed = true;
      const answer = parse();
      finish(
        answer ? { ...answer, closed: true } : new Error("connection closed before an answer"),
      );
    });
    socket.on("error", (error) => finish(error));

    // A caller may send its own Host (even an empty one) to probe how the server routes it.
    const ownHost = Object.keys(headers).some((name) => name.toLowerCase() === "host");
    const lines = [`${method} ${path} HTTP/1.1`, ...(ownHost ? [] : [`Host: ${url.host}`])];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    socket.write(lines.join("\r\n") + "\r\n\r\n");
  });
}

/** Opens a WebSocket and resolves with its first frame, or rejects on close or timeout. */
export function firstFrame(
  target: Target,
  query: string,
  protocols?: string[],
): Promise<Record<string, unknown>> {
  const url = `${target.base.replace(/^http/, "ws")}/ws${query}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const timer = setTimeout(() => done(new Error("no frame in time")), target.timeoutMs);
    const done = (result: Record<string, unknown> | Error) => {
      clearTimeout(timer);
      ws.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    ws.addEventListener("message", (event) => {
      try {
        done(JSON.parse(String(event.data)) as Record<string, unknown>);
      } catch {
        done(new Error("first frame is not JSON"));
      }
    });
    ws.addEventListener("close", (event) =>
      done(new Error(`closed with ${event.code} before a frame`)),
    );
  });
}
