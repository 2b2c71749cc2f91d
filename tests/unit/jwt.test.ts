/** The JWT verifier against every refusal the security model names, with an injected clock. */
import { afterEach, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { JWT_CLOCK_TOLERANCE_SECONDS, JwtVerifier, type JwtSettings } from "../../src/auth/jwt.ts";
import {
  AUDIENCE,
  HS256_SECRET,
  ISSUER,
  makeKeyPair,
  secretBytes,
  signToken,
  startJwksServer,
  unsignedToken,
  type JwksServer,
} from "../helpers/jwt.ts";

const NOW_S = 1_767_225_600; // 2026-01-01T00:00:00Z
const NOW_MS = NOW_S * 1000;
const rsa = await makeKeyPair("RS256");
const ec = await makeKeyPair("ES256");
const base: JwtSettings = { issuer: ISSUER, audience: AUDIENCE };

async function verifier(settings: JwtSettings): Promise<JwtVerifier> {
  const built = await JwtVerifier.fromSettings({ ...base, ...settings });
  if (!built) throw new Error("no verifier");
  return built;
}

const servers: JwksServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

describe("HS256 secret", () => {
  test("accepts a valid token and takes its subject and channel claim", async () => {
    const v = await verifier({ hs256Secret: HS256_SECRET });
    const token = await signToken(
      secretBytes(),
      { sub: "bob", ticketgate_channels: ["chat:*", "user:{subject}"] },
      { now: NOW_S },
    );
    const check = await v.verify(token, NOW_MS);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.identity.subject).toBe("bob");
    expect(check.identity.issuer).toBe(ISSUER);
    expect(check.identity.channels).toEqual([
      { pattern: "chat:*", publish: true },
      { pattern: "user:bob", publish: true },
    ]);
    expect(check.identity.id).toMatch(/^jwt_[0-9a-f]{8}$/);
  });

  test("refuses a secret shorter than 32 bytes at start-up", async () => {
    expect(JwtVerifier.fromSettings({ hs256Secret: "short" })).rejects.toThrow(/at least 32 bytes/);
  });

  test("is off when no JWT setting is given", async () => {
    expect(await JwtVerifier.fromSettings({})).toBeNull();
  });
});

describe("refusals", () => {
  const cases: [string, () => Promise<string>, string][] = [
    ["alg: none", async () => unsignedToken(), "jwt_algorithm"],
    [
      "a wrong audience",
      () => signToken(secretBytes(), { aud: "someone-else" }, { now: NOW_S }),
      "jwt_audience",
    ],
    [
      "a wrong issuer",
      () => signToken(secretBytes(), { iss: "https://evil.test" }, { now: NOW_S }),
      "jwt_issuer",
    ],
    [
      "an expired token",
      () => signToken(secretBytes(), {}, { now: NOW_S - 600, ttl: 60 }),
      "jwt_expired",
    ],
    [
      "a token not yet valid",
      () => signToken(secretBytes(), { nbf: NOW_S + 120 }, { now: NOW_S }),
      "jwt_not_yet_valid",
    ],
    [
      "a token without exp",
      () => signToken(secretBytes(), {}, { now: NOW_S, omit: ["exp"] }),
      "jwt_claims",
    ],
    [
      "a token without sub",
      () => signToken(secretBytes(), {}, { now: NOW_S, omit: ["sub"] }),
      "jwt_claims",
    ],
    [
      "a token signed with another secret",
      () => signToken(secretBytes("x".repeat(40)), {}, { now: NOW_S }),
      "jwt_signature",
    ],
    [
      "an RS256 token when only HS256 is configured",
      () => signToken(rsa, {}, { now: NOW_S }),
      "jwt_algorithm",
    ],
    ["a header that is not JSON", async () => "eyJub3QganNvbg.e30.c2ln", "jwt_malformed"],
  ];

  test.each(cases)("refuses %s", async (_name, make, reason) => {
    const v = await verifier({ hs256Secret: HS256_SECRET });
    expect(await v.verify(await make(), NOW_MS)).toEqual({ ok: false, reason: reason as never });
  });

  test("refuses a tampered payload", async () => {
    const v = await verifier({ hs256Secret: HS256_SECRET });
    const [h, , s] = (await signToken(secretBytes(), {}, { now: NOW_S })).split(".");
    const forged = Buffer.from(
      JSON.stringify({ sub: "admin", iss: ISSUER, aud: AUDIENCE, exp: NOW_S + 300 }),
    ).toString("base64url");
    expect(await v.verify(`${h}.${forged}.${s}`, NOW_MS)).toEqual({
      ok: false,
      reason: "jwt_signature",
    });
  });

  test(`accepts a token expired less than ${JWT_CLOCK_TOLERANCE_SECONDS} s ago, and refuses it after`, async () => {
    const v = await verifier({ hs256Secret: HS256_SECRET });
    const token = await signToken(secretBytes(), {}, { now: NOW_S - 60, ttl: 60 });
    expect((await v.verify(token, NOW_MS + (JWT_CLOCK_TOLERANCE_SECONDS - 1) * 1000)).ok).toBe(
      true,
    );
    expect(await v.verify(token, NOW_MS + (JWT_CLOCK_TOLERANCE_SECONDS + 1) * 1000)).toEqual({
      ok: false,
      reason: "jwt_expired",
    });
  });
});

describe("public keys", () => {
  test("accepts RS256 and ES256 tokens with their own public key", async () => {
    for (const pair of [rsa, ec]) {
      const v = await verifier({ publicKey: pair.pem });
      expect(v.algorithms).toEqual([pair.alg]);
      expect((await v.verify(await signToken(pair, {}, { now: NOW_S }), NOW_MS)).ok).toBe(true);
    }
  });

  test("refuses an HS256 token signed with the RS256 public key as its secret (algorithm confusion)", async () => {
    const v = await verifier({ publicKey: rsa.pem });
    const forged = await new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, exp: NOW_S + 300 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(rsa.pem));
    expect(await v.verify(forged, NOW_MS)).toEqual({ ok: false, reason: "jwt_algorithm" });
  });

  test("with both a secret and a public key, the public key as HMAC secret still fails", async () => {
    const v = await verifier({ publicKey: rsa.pem, hs256Secret: HS256_SECRET });
    const forged = await new SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, exp: NOW_S + 300 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(rsa.pem));
    expect(await v.verify(forged, NOW_MS)).toEqual({ ok: false, reason: "jwt_signature" });
  });

  test("refuses an algorithm the key type cannot verify, at start-up", async () => {
    expect(JwtVerifier.fromSettings({ publicKey: ec.pem, algorithms: ["RS256"] })).rejects.toThrow(
      /cannot be verified/,
    );
  });

  test("refuses a private key given as the public key", async () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
    expect(JwtVerifier.fromSettings({ publicKey: pem })).rejects.toThrow(/never a private key/);
  });

  test("refuses an ES256 token when the key is RSA", async () => {
    const v = await verifier({ publicKey: rsa.pem });
    expect(await v.verify(await signToken(ec, {}, { now: NOW_S }), NOW_MS)).toEqual({
      ok: false,
      reason: "jwt_algorithm",
    });
  });
});

describe("JWKS URL", () => {
  test("verifies with a key from the set and refetches when a new kid appears", async () => {
    const next = await makeKeyPair("ES256");
    const jwks = await startJwksServer([rsa]);
    servers.push(jwks);
    const v = await verifier({ jwksUrl: jwks.url, jwksCooldownMs: 0 });

    expect((await v.verify(await signToken(rsa, {}, { now: NOW_S }), NOW_MS)).ok).toBe(true);
    jwks.setKeys([rsa, next]);
    expect((await v.verify(await signToken(next, {}, { now: NOW_S }), NOW_MS)).ok).toBe(true);
    expect(jwks.fetches()).toBe(2);
  });

  test("does not refetch for every unknown kid within the cooldown", async () => {
    const jwks = await startJwksServer([rsa]);
    servers.push(jwks);
    const v = await verifier({ jwksUrl: jwks.url });
    const stranger = await makeKeyPair("RS256");

    expect((await v.verify(await signToken(rsa, {}, { now: NOW_S }), NOW_MS)).ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      const check = await v.verify(
        await signToken(stranger, {}, { now: NOW_S, kid: `k${i}` }),
        NOW_MS,
      );
      expect(check).toEqual({ ok: false, reason: "jwt_unknown_key" });
    }
    expect(jwks.fetches()).toBe(1);
  });

  test("reports an unreachable key set as unavailable, not as a bad token", async () => {
    const jwks = await startJwksServer([rsa]);
    servers.push(jwks);
    jwks.fail(true);
    const v = await verifier({ jwksUrl: jwks.url });
    expect(await v.verify(await signToken(rsa, {}, { now: NOW_S }), NOW_MS)).toEqual({
      ok: false,
      reason: "jwks_unavailable",
    });
  });

  test("refuses plain http to a host other than loopback, at start-up", async () => {
    expect(JwtVerifier.fromSettings({ jwksUrl: "http://idp.example/jwks.json" })).rejects.toThrow(
      /https/,
    );
  });

  test("refuses HS256 for a key set, at start-up", async () => {
    expect(
      JwtVerifier.fromSettings({ jwksUrl: "https://idp.example/jwks.json", algorithms: ["HS256"] }),
    ).rejects.toThrow(/asymmetric/);
  });
});
