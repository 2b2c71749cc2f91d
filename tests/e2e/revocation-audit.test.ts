/**
 * Revocations through the admin API leave a `session.revoked` line on the audit stream that
 * says what was revoked and which key asked, by id and never by value.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ApiKeyring, parseKeyEntry } from "../../src/auth/api-keys.ts";
import { ALL_SCOPES } from "../../src/auth/scopes.ts";
import { auditLines, lineContaining } from "../helpers/auth-http.ts";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { admin, openSession, type Session } from "../helpers/sessions.ts";

/** The id the audit line must name for the test key; set here so the assertion is exact. */
const KEY_ID = "ops-console";

let gw: TestGateway | undefined;
const open: Session[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s[Symbol.asyncDispose]();
  await gw?.stop();
  gw = undefined;
});

async function gateway(): Promise<TestGateway> {
  const keyring = ApiKeyring.fromKeys([parseKeyEntry(API_KEY, "test", ALL_SCOPES, KEY_ID)]);
  gw = await startGateway({ keyring });
  return gw;
}

async function session(gw: TestGateway, subject: string): Promise<Session> {
  const s = await openSession(gw, gw.wsUrl, { subject, channels: ["chat:*"] });
  open.push(s);
  return s;
}

const revoked = (gw: TestGateway) =>
  auditLines(gw.logs).filter((line) => line.event === "session.revoked");

describe("session.revoked audit line", () => {
  test("revoking one session names the session and the calling key", async () => {
    const gw = await gateway();
    const alice = await session(gw, "alice");
    const id = String(alice.welcome.session);

    expect((await admin(gw.url, "DELETE", `/api/v1/sessions/${id}`)).status).toBe(200);
    expect((await alice.closed).code).toBe(4001);

    expect(revoked(gw)).toEqual([
      expect.objectContaining({ log: "audit", session: id, key_id: KEY_ID }),
    ]);
    expect(lineContaining(gw.logs, API_KEY)).toBeUndefined();
  });

  test("revoking a subject names it, counts its sessions and tickets, and names the calling key", async () => {
    const gw = await gateway();
    const first = await session(gw, "bob");
    const second = await session(gw, "bob");
    const outstanding = await gw.mint({ subject: "bob" });

    const res = await admin(gw.url, "DELETE", "/api/v1/subjects/bob/sessions");
    expect(res.body).toEqual({ subject: "bob", sessions_closed: 2, tickets_revoked: 1 });
    await Promise.all([first.closed, second.closed]);

    expect(revoked(gw)).toEqual([
      expect.objectContaining({
        log: "audit",
        subject: "bob",
        count: 2,
        tickets_revoked: 1,
        key_id: KEY_ID,
      }),
    ]);
    expect(lineContaining(gw.logs, API_KEY)).toBeUndefined();
    expect(lineContaining(gw.logs, outstanding)).toBeUndefined();
  });

  test("revoking a session no node holds writes no session.revoked line", async () => {
    const gw = await gateway();
    const res = await admin(gw.url, "DELETE", `/api/v1/sessions/s_${"0".repeat(32)}`);
    expect(res.status).toBe(404);
    expect(revoked(gw)).toEqual([]);
  });
});
