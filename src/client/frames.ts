/**
 * Reading the server's frames. Their shapes live in wire/protocol.ts, shared with the
 * server; this is the SDK's own check of what actually arrived on the socket.
 */
import type { ServerFrame } from "../wire/protocol.ts";

/** Reads one text frame; null when it is not a JSON object with a string `type`. */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  if (typeof (value as { type?: unknown }).type !== "string") return null;
  return value as ServerFrame;
}
