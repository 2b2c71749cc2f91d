/**
 * The live sockets of this node, in an array indexed by a slot number that each session's id
 * carries. A Map keyed by id cost about 140 bytes per idle session (its entry, bucket share
 * and key); a slot costs 8, and finding a session by id is still one array read plus a check.
 *
 * A session id is `s_` + 8 hex digits of slot + 24 hex digits of CSPRNG output: 32 lowercase
 * hex digits, the format the API documents. Ids are names, not secrets; the random part keeps
 * a reused slot from ever repeating an id.
 */
import type { Socket } from "./session.ts";

const SLOT_DIGITS = 8;
const RANDOM_BYTES = 12;

export class SessionTable {
  private readonly slots: (Socket | undefined)[] = [];
  private readonly free: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Stores the socket and gives its session an id; returns the id. */
  add(ws: Socket): string {
    const slot = this.free.pop() ?? this.slots.length;
    this.slots[slot] = ws;
    this.count++;
    ws.data.id = sessionId(slot);
    return ws.data.id;
  }

  /** Forgets the socket, if this table holds it under its id. */
  remove(ws: Socket): boolean {
    const slot = slotOf(ws.data.id);
    if (slot === undefined || this.slots[slot] !== ws) return false;
    this.slots[slot] = undefined;
    this.free.push(slot);
    this.count--;
    return true;
  }

  get(id: string): Socket | undefined {
    const slot = slotOf(id);
    const ws = slot === undefined ? undefined : this.slots[slot];
    return ws?.data.id === id ? ws : undefined;
  }

  *values(): IterableIterator<Socket> {
    for (const ws of this.slots) if (ws !== undefined) yield ws;
  }
}

function sessionId(slot: number): string {
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(RANDOM_BYTES))).toString("hex");
  return "s_" + slot.toString(16).padStart(SLOT_DIGITS, "0") + random;
}

function slotOf(id: string): number | undefined {
  if (id.length !== 2 + SLOT_DIGITS + 2 * RANDOM_BYTES) return undefined;
  const slot = Number.parseInt(id.slice(2, 2 + SLOT_DIGITS), 16);
  return Number.isNaN(slot) ? undefined : slot;
}
