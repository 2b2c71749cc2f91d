/** The slot-indexed table of live sessions: ids, lookups, and slot reuse. */
import { expect, test } from "bun:test";
import type { Socket } from "../../src/realtime/session.ts";
import { SessionTable } from "../../src/realtime/session-table.ts";

/** Only `data.id` matters to the table; a real socket is not needed to test it. */
const fakeSocket = () => ({ data: { id: "" } }) as unknown as Socket; // the table reads data.id only

test("gives each session a documented id and finds it by that id", () => {
  const table = new SessionTable();
  const a = fakeSocket();
  const b = fakeSocket();
  const idA = table.add(a);
  const idB = table.add(b);

  expect(idA).toMatch(/^s_[0-9a-f]{32}$/);
  expect(idA).not.toBe(idB);
  expect(table.get(idA)).toBe(a);
  expect(table.get(idB)).toBe(b);
  expect(table.size).toBe(2);
  expect([...table.values()]).toEqual([a, b]);
});

test("a removed session is gone, and its reused slot never answers to the old id", () => {
  const table = new SessionTable();
  const a = fakeSocket();
  const oldId = table.add(a);
  expect(table.remove(a)).toBe(true);
  expect(table.remove(a)).toBe(false);
  expect(table.get(oldId)).toBeUndefined();

  const c = fakeSocket();
  const newId = table.add(c);
  expect(newId.slice(0, 10)).toBe(oldId.slice(0, 10));
  expect(newId).not.toBe(oldId);
  expect(table.get(oldId)).toBeUndefined();
  expect(table.get(newId)).toBe(c);
  expect(table.size).toBe(1);
});

test.each(["", "s_", "s_zzzzzzzz" + "0".repeat(24), "x".repeat(34), "s_" + "f".repeat(32)])(
  "answers nothing for the id %p",
  (id) => {
    const table = new SessionTable();
    table.add(fakeSocket());
    expect(table.get(id)).toBeUndefined();
  },
);
