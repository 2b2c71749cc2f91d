/**
 * A raw HTTP/1.1 exchange over node:net, because browsers and Bun's WebSocket only see a
 * refused upgrade as an error plus close 1006: the status and headers are asserted here.
 */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the server closed the TCP connection after answering. */
  closed: boolean;
}

export function upgradeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
    ...extra,
  };
}

/** Sends one request and reads the answer's head (and body, for non-101 answers). */
export function rawRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
  timeoutMs = 3000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    let settled = false;
    let closed = false;
    const timer = setTimeout(() => finish(new Error("no complete answer in time")), timeoutMs);

    const tryParse = (): RawResponse | null => {
      const text = data.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return null;
      const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
      const out: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(":");
        out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const status = Number(statusLine!.split(" ")[1]);
      const length = Number(out["content-length"] ?? 0);
      const body = data.subarray(end + 4).toString("utf8");
      if (status !== 101 && Buffer.byteLength(body) < length) return null;
      return { status, headers: out, body, closed };
    };

    const finish = (result: RawResponse | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };

    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const parsed = tryParse();
      // For refusals, wait a moment for the server's close, so `closed` can be asserted.
      if (parsed && parsed.status === 101) finish(parsed);
      else if (parsed) setTimeout(() => finish({ ...parsed, closed }), 100);
    });
    socket.on("end", () => {
      closed = true;
    });
    socket.on("close", () => {
      closed = true;
      const parsed = tryParse();
      if (parsed) finish({ ...parsed, closed: true });
      else finish(new Error("connection closed before an answer"));
    });
    socket.on("error", (error) => finish(error));

    const head = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
    for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
    socket.write(head.join("\r\n") + "\r\n\r\n");
  });
}
