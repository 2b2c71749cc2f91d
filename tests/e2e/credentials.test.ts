/** Who may mint, through a real gateway: JWT bearers (secret, public key, JWKS) and scoped keys. */
import { afterEach, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { ApiKeyring } from "../../src/auth/api-keys.ts";
import { JwtVerifier, type JwtSettings } from "../../src/auth/jwt.ts";
import { parseKeyFile } from "../../src/auth/key-file.ts";
import { auditLines, lineContaining, mintWith } from "../helpers/auth-http.ts";
import { API_KEY, startGateway, type TestGateway } from "../helpers/gateway.ts";
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
import { openSocket } from "../helpers/ws-client.ts";

const rsa = await makeKeyPair("RS256");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWithJwt(settings: JwtSettings, keyring?: ApiKeyring): Promise<TestGateway> {
  const jwt = await JwtVerifier.fromSettings({ issuer: ISSUER, audience: AUDIENCE, ...settings });
  const gw = await startGateway({ keyring, security: { jwt } });
  cleanups.push(() => gw.stop());
  return gw;
}

async function welcomeFor(gw: TestGateway, ticket: string): Promise<Record<string, unknown>> {
  await using socket = openSocket(`${gw.wsUrl}?ticket=${ticket}`);
  return await socket.next();
}

describe("JWT bearer", () => {
  test("mints for its own subject with the channels its claim grants, narrowed to what it asks", async () => {
    const gw = await gatewayWithJwt({ hs256Secret: HS256_SECRET });
    const token = await signToken(secretBytes(), {
      sub: "alice",
      ticketgate_channels: ["chat:*", "user:{subject}"],
    });
    const res = await mintWith(gw.url, token, {
      subject: "alice",
      channels: ["chat:lobby", "admin:*", "user:{subject}", "*"],
    });
    expect(res.status).toBe(201);

    const welcome = await welcomeFor(gw, res.body.ticket as string);
    expect(welcome.subject).toBe("alice");
    expect(new Set(welcome.channels as string[])).toEqual(
      new Set(["chat:lobby", "user:alice", "chat:*"]),
    );
  });

  test("cannot mint for another subject", async () => {
    const gw = await gatewayWithJwt({ hs256Secret: HS256_SECRET });
    const res = await mintWith(gw.url, await signToken(secretBytes(), { sub: "alice" }), {
      subject: "bob",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toStartWith("application/problem+json");
    expect(res.body.detail).toBe("A token may only mint tickets for its own subject.");
  });

  test("gets no channels when its token grants none", async () => {
    const gw = await gatewayWithJwt({ hs256Secret: HS256_SECRET });
    const res = await mintWith(gw.url, await signToken(secretBytes()), {
      subject: "alice",
      channels: ["*"],
    });
    expect(res.status).toBe(201);
    expect((await welcomeFor(gw, res.body.ticket as string)).channels).toEqual([]);
  });

  test("cannot set metadata", async () => {
    const gw = await gatewayWithJwt({ hs256Secret: HS256_SECRET });
    const res = await mintWith(gw.url, await signToken(secretBytes()), {
      subject: "alice",
      metadata: { role: "admin" },
    });
    expect(res.status).toBe(403);
  });

  test.each([
    ["GET", "/api/v1/sessions"],
    ["POST", "/api/v1/channels/chat:lobby/messages"],
    ["DELETE", "/api/v1/subjects/alice/sessions"],
    ["GET", "/metrics"],
  ])("may not call %s %s (403 insufficient scope)", async (method, path) => {
    const gw = await gatewayWithJwt({ hs256Secret: HS256_SECRET });
    const res = await mintWith(gw.url, await signToken(secretBytes()), { data: 1 }, path, method);
    expect(res.status).toBe(403);
    expect(res.body.detail).toStartWith("Insufficient scope");
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refusals: [string, () => Promise<string>, string][] = [
    ["alg: none", async () => unsignedToken(), "jwt_algorithm"],
    ["a wrong audience", () => signToken(secretBytes(), { aud: "other" }), "jwt_audience"],
    ["a wrong issuer", () => signToken(secretBytes(), { iss: "https://evil.test" }), "jwt_issuer"],
    [
      "an expired token",
      () => signToken(secretBytes(), {}, { now: now() - 3600, ttl: 60 }),
      "jwt_expired",
    ],
    [
      "a token not yet valid",
      () => signToken(secretBytes(), { nbf: now() + 600 }),
      "jwt_not_yet_valid",
    ],
    ["a forged signature", () => signToken(secretBytes("y".repeat(40))), "jwt_signature"],
  ];

  test.each(refusals)(
    "refuses %s with a bare 401, the reason only in the log and counter",
    async (_name, make, reason) => {
      const gw = await gatewayWithJwt({ hs256Secret: HS256_SECRET });
      const token = await make();
      const res = await mintWith(gw.url, token);

      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
      expect(res.body).toEqual({
        type: "about:blank",
        title: "Unauthorized",
        status: 401,
        detail: "A valid API key or token is required.",
      });
      expect(gw.gate.metrics.authFailures.get({ reason })).toBe(1);
      expect(
        auditLines(gw.logs).some((l) => l.event === "credential.refused" && l.reason === reason),
      ).toBe(true);
      expect(lineContaining(gw.logs, token.split(".")[2] || token)).toBeUndefined();
    },
  );

  test("refuses an HS256 token signed with the RS256 public key", async () => {
    const gw = await gatewayWithJwt({ publicKey: rsa.pem });
    const forged = await new SignJWT({
      sub: "alice",
      iss: ISSUER,
      aud: AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 300,
    })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(rsa.pem));
    expect((await mintWith(gw.url, forged)).status).toBe(401);
    expect(gw.gate.metrics.authFailures.get({ reason: "jwt_algorithm" })).toBe(1);
  });

  test("is refused, and never tried as an API key, when no JWT setting is given", async () => {
    const gw = await startGateway();
    cleanups.push(() => gw.stop());
    expect((await mintWith(gw.url, await signToken(secretBytes()))).status).toBe(401);
    expect(gw.gate.metrics.authFailures.get({ reason: "jwt_not_accepted" })).toBe(1);
  });

  test("mints with a key from a JWKS URL, and answers 503 while the key set is unreachable", async () => {
    const jwks: JwksServer = await startJwksServer([rsa]);
    cleanups.push(() => jwks.stop());
    const gw = await gatewayWithJwt({ jwksUrl: jwks.url });

    expect((await mintWith(gw.url, await signToken(rsa))).status).toBe(201);
    jwks.fail(true);
    const stranger = await makeKeyPair("RS256");
    const res = await mintWith(gw.url, await signToken(stranger));
    // Within the refetch cooldown an unknown kid is a bad token, not a reason to call the IdP.
    expect(res.status).toBe(401);

    const cold = await gatewayWithJwt({ jwksUrl: jwks.url });
    const down = await mintWith(cold.url, await signToken(rsa));
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
  });
});

describe("API keys with scopes", () => {
  const keyFile = `
- id: minter
  key: minter-key-0123456789abcdef
  scopes: [mint]
- id: publisher
  hash: "sha256:${new Bun.CryptoHasher("sha256").update("publisher-key-0123456789").digest("hex")}"
  scopes: [publish]
- id: ops
  key: ops-key-0123456789abcdefgh
  scopes: [admin, revoke]
- id: minter-next
  key: minter-next-key-0123456789
  scopes: [mint]
`;
  const keyring = () => ApiKeyring.fromKeys(parseKeyFile(keyFile));

  async function gateway(): Promise<TestGateway> {
    const gw = await startGateway({ keyring: keyring() });
    cleanups.push(() => gw.stop());
    return gw;
  }

  test.each([
    ["minter-key-0123456789abcdef", "POST", "/api/v1/tickets", 201],
    ["minter-key-0123456789abcdef", "POST", "/api/v1/channels/chat:lobby/messages", 403],
    ["minter-key-0123456789abcdef", "DELETE", "/api/v1/subjects/alice/sessions", 403],
    ["minter-key-0123456789abcdef", "GET", "/metrics", 403],
    ["publisher-key-0123456789", "POST", "/api/v1/tickets", 403],
    ["publisher-key-0123456789", "POST", "/api/v1/channels/chat:lobby/messages", 202],
    ["ops-key-0123456789abcdefgh", "GET", "/metrics", 200],
    ["ops-key-0123456789abcdefgh", "GET", "/api/v1/sessions", 200],
    ["ops-key-0123456789abcdefgh", "DELETE", "/api/v1/subjects/alice/sessions", 200],
    ["ops-key-0123456789abcdefgh", "POST", "/api/v1/tickets", 403],
  ])("key %s calling %s %s answers %d", async (key, method, path, status) => {
    const gw = await gateway();
    const body = path.endsWith("/messages") ? { data: { hello: 1 } } : { subject: "alice" };
    const res = await mintWith(gw.url, key, body, path, method);
    expect(res.status).toBe(status);
    if (status === 403) expect(res.body.detail).toStartWith("Insufficient scope");
  });

  test("two keys are live at once for rotation, and logs name them by id only", async () => {
    const gw = await gateway();
    expect((await mintWith(gw.url, "minter-key-0123456789abcdef")).status).toBe(201);
    expect((await mintWith(gw.url, "minter-next-key-0123456789")).status).toBe(201);

    // A mint's key use is recorded on its ticket.minted line.
    const used = auditLines(gw.logs)
      .filter((l) => l.event === "ticket.minted")
      .map((l) => l.key_id);
    expect(used).toEqual(["minter", "minter-next"]);
    expect(lineContaining(gw.logs, "minter-key-0123456789abcdef")).toBeUndefined();
    expect(lineContaining(gw.logs, "minter-next-key-0123456789")).toBeUndefined();
  });

  test("environment keys keep every scope", async () => {
    const gw = await startGateway();
    cleanups.push(() => gw.stop());
    expect((await mintWith(gw.url, API_KEY, {}, "/metrics", "GET")).status).toBe(200);
    expect((await mintWith(gw.url, API_KEY)).status).toBe(201);
  });
});

describe("audit stream", () => {
  test("ties a ticket's minting, redemption and reuse together by id, apart from the access log", async () => {
    const gw = await startGateway();
    cleanups.push(() => gw.stop());
    const ticket = await gw.mint({ subject: "carol" });
    await welcomeFor(gw, ticket);
    const reuse = await fetch(`${gw.url}/ws?ticket=${ticket}`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    expect(reuse.status).toBe(401);

    const audit = auditLines(gw.logs);
    const minted = audit.find((l) => l.event === "ticket.minted");
    const redeemed = audit.find((l) => l.event === "ticket.redeemed");
    const refused = audit.find((l) => l.event === "ticket.refused");
    expect(minted).toMatchObject({
      subject: "carol",
      credential: "key",
      key_id: expect.stringMatching(/^key_/),
    });
    expect(redeemed?.ticket_id).toBe(minted?.ticket_id);
    expect(refused).toMatchObject({ ticket_id: minted?.ticket_id, reason: "used", status: 401 });
    expect(lineContaining(gw.logs, ticket)).toBeUndefined();
    expect(gw.logs.some((l) => !l.includes('"log":"audit"'))).toBe(true);
  });
});
