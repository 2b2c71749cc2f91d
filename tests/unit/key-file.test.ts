/** Key files and key shapes: what start-up accepts, and what it refuses without echoing a key. */
import { describe, expect, test } from "bun:test";
import { ApiKeyring } from "../../src/auth/api-keys.ts";
import { Authenticator } from "../../src/auth/credentials.ts";
import { buildKeyring, parseKeyFile } from "../../src/auth/key-file.ts";
import { requiredScope } from "../../src/auth/scopes.ts";
import { ManualClock } from "../../src/tickets/clock.ts";

const SECRET_KEY = "a-secret-backend-key-0123456789";

describe("key file", () => {
  test("reads JSON and YAML alike, with ids and scopes", () => {
    const json = parseKeyFile(
      JSON.stringify([{ id: "billing", key: SECRET_KEY, scopes: ["mint", "publish"] }]),
    );
    const yaml = parseKeyFile(
      `keys:\n  - id: billing\n    key: ${SECRET_KEY}\n    scopes: [mint, publish]\n`,
    );
    for (const keys of [json, yaml]) {
      expect(keys[0]!.id).toBe("billing");
      expect([...keys[0]!.scopes]).toEqual(["mint", "publish"]);
    }
  });

  test.each([
    ["an unknown scope", [{ id: "a", key: SECRET_KEY, scopes: ["root"] }], /unknown scope "root"/],
    [
      "both hash and key",
      [{ id: "a", key: SECRET_KEY, hash: "sha256:00", scopes: ["mint"] }],
      /exactly one/,
    ],
    ["no scopes", [{ id: "a", key: SECRET_KEY, scopes: [] }], /non-empty/],
    ["a bad id", [{ id: "a b", key: SECRET_KEY, scopes: ["mint"] }], /"id"/],
    [
      "an unknown field",
      [{ id: "a", key: SECRET_KEY, scopes: ["mint"], note: 1 }],
      /unknown field "note"/,
    ],
    ["a short key", [{ id: "a", key: "short", scopes: ["mint"] }], /at least 16/],
    [
      "a duplicate id",
      [
        { id: "a", key: SECRET_KEY, scopes: ["mint"] },
        { id: "a", key: SECRET_KEY + "x", scopes: ["mint"] },
      ],
      /twice/,
    ],
    [
      "the same key twice",
      [
        { id: "a", key: SECRET_KEY, scopes: ["mint"] },
        { id: "b", key: SECRET_KEY, scopes: ["admin"] },
      ],
      /same key/,
    ],
  ])("refuses %s without echoing the key", (_name, entries, message) => {
    let error: Error | undefined;
    try {
      parseKeyFile(JSON.stringify(entries));
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain(SECRET_KEY);
  });

  test("merges the environment's keys (every scope) with the file's", async () => {
    const dir = `${process.env.TMPDIR ?? "/tmp"}/tg-keys-${crypto.randomUUID()}.json`;
    await Bun.write(dir, JSON.stringify([{ id: "minter", key: SECRET_KEY, scopes: ["mint"] }]));
    const ring = buildKeyring(["env-key-0123456789abcdef"], dir);
    expect(ring.list().map((k) => [k.id.startsWith("key_") ? "env" : k.id, k.scopes.size])).toEqual(
      [
        ["env", 4],
        ["minter", 1],
      ],
    );
  });
});

describe("credential kinds", () => {
  test("refuses an API key shaped like a JWT at start-up", () => {
    expect(() =>
      ApiKeyring.fromEntries(["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"]),
    ).toThrow(/shape of a JWT/);
  });

  test("checks a key-shaped credential only against keys, and reports a JWT without a verifier", async () => {
    const auth = new Authenticator(ApiKeyring.fromEntries([SECRET_KEY]), null, new ManualClock());
    expect(await auth.authenticate(`Bearer ${SECRET_KEY}`)).toMatchObject({
      ok: true,
      principal: { kind: "key" },
    });
    expect(await auth.authenticate("Bearer eyJhbGciOiJub25lIn0.e30.")).toMatchObject({
      ok: false,
      reason: "jwt_not_accepted",
      kind: "jwt",
    });
    expect(await auth.authenticate("Bearer " + "k".repeat(600))).toMatchObject({
      ok: false,
      reason: "malformed",
    });
    expect(await auth.authenticate("Basic abc")).toMatchObject({
      ok: false,
      reason: "malformed",
      status: 401,
    });
    expect(await auth.authenticate(null)).toMatchObject({ ok: false, reason: "missing" });
  });

  test.each([
    ["POST", "/api/v1/tickets", "mint"],
    ["POST", "/api/v1/channels/chat:1/messages", "publish"],
    ["DELETE", "/api/v1/subjects/alice/sessions", "revoke"],
    ["DELETE", "/api/v1/sessions/s_1", "revoke"],
    ["GET", "/api/v1/sessions", "admin"],
    ["GET", "/api/v1/channels/chat:1/presence", "admin"],
    ["GET", "/metrics", "admin"],
    ["GET", "/api/v2/anything-new", "admin"],
  ])("%s %s needs the %s scope", (method, path, scope) => {
    expect(requiredScope(method, path)).toBe(scope as never);
  });
});
