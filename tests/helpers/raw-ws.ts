/**
 * A WebSocket client over node:net that does only what a test tells it: it never answers
 * pings and can stop reading, to play a dead peer or a slow consumer.
 */
import { connect, type Socket } from "node:net";
import { upgradeHeaders } from "./raw-http.ts";

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const FIN = 0x80;
const MASKED = 0x80;
const EXTENDED_16 = 126;

export interface RawSession {
  socket: Socket;
  /** Bytes received after the 101 head. */
  received(): Buffer;
  /** Resolves when the TCP connection is closed, with the ms it lived after the 101. */
  closed: Promise<number>;
  sendText(text: string): void;
  /** The close code of a close frame at the end of what was received, if any. */
  closeCode(): number | undefined;
}

export function openRawSession(
  port: number,
  ticket: string,
  timeoutMs = 3000,
): Promise<RawSession> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let head = Buffer.alloc(0);
    let body = Buffer.alloc(0);
    let upgradedAt = 0;
    let resolveClosed: (ms: number) => void = () => {};
    const closed = new Promise<number>((r) => (resolveClosed = r));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no 101 in time"));
    }, timeoutMs);

    socket.on("data", (chunk: Buffer) => {
      if (upgradedAt > 0) {
        body = Buffer.concat([body, chunk]);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      if (!head.subarray(0, 12).toString().includes(" 101")) {
        socket.destroy();
        reject(new Error(`upgrade refused: ${head.subarray(0, end).toString()}`));
        return;
      }
      upgradedAt = Date.now();
      body = head.subarray(end + 4);
      resolve({
        socket,
        closed,
        received: () => body,
        sendText: (text) => socket.write(maskedFrame(OPCODE_TEXT, Buffer.from(text))),
        closeCode: () => trailingCloseCode(body),
      });
    });
    socket.on("close", () => resolveClosed(Date.now() - upgradedAt));
    socket.on("error", () => {});
    const lines = [`GET /ws?ticket=${ticket} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
    for (const [k, v] of Object.entries(upgradeHeaders())) lines.push(`${k}: ${v}`);
    socket.write(lines.join("\r\n") + "\r\n\r\n");
  });
}

/** Client frames must be masked (RFC 6455 5.3); payloads here stay under 64 KiB. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const size =
    payload.length < EXTENDED_16
      ? Buffer.from([MASKED | payload.length])
      : Buffer.from([MASKED | EXTENDED_16, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([FIN | opcode]), size, mask, masked]);
}

/** A server close frame is short and unmasked: 0x88, length, then the code. */
function trailingCloseCode(bytes: Buffer): number | undefined {
  for (let i = bytes.length - 4; i >= Math.max(0, bytes.length - 200); i--) {
    const length = bytes[i + 1]!;
    if (bytes[i] === (FIN | OPCODE_CLOSE) && length >= 2 && i + 2 + length === bytes.length)
      return bytes.readUInt16BE(i + 2);
  }
  return undefined;
}
