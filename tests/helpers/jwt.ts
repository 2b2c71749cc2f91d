/** Test identity provider: key pairs, signed tokens and a JWKS server on 127.0.0.1. */
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
} from "jose";

export const HS256_SECRET = "test-hs256-secret-of-at-least-32-bytes!";
export const ISSUER = "https://idp.test";
export const AUDIENCE = "ticketgate-test";

export interface TestKeyPair {
  alg: "RS256" | "ES256";
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  pem: string;
}

export async function makeKeyPair(
  alg: "RS256" | "ES256",
  kid = crypto.randomUUID(),
): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicKey, pem: await exportSPKI(publicKey) };
}

export interface TokenOptions {
  /** Seconds since epoch used for iat/exp defaults. */
  now?: number;
  ttl?: number;
  kid?: string;
  omit?: ("exp" | "sub")[];
}

/** Signs `claims` (sub defaults to alice, iss/aud to the test ones) with a key or the secret. */
export async function signToken(
  key: TestKeyPair | Uint8Array,
  claims: JWTPayload = {},
  options: TokenOptions = {},
): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const body: JWTPayload = {
    sub: "alice",
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + (options.ttl ?? 300),
    ...claims,
  };
  for (const field of options.omit ?? []) delete body[field];
  const alg = key instanceof Uint8Array ? "HS256" : key.alg;
  const kid = options.kid ?? (key instanceof Uint8Array ? undefined : key.kid);
  const signer = new SignJWT(body).setProtectedHeader(kid ? { alg, kid } : { alg });
  return signer.sign(key instanceof Uint8Array ? key : key.privateKey);
}

export const secretBytes = (secret = HS256_SECRET) => new TextEncoder().encode(secret);

/** A token with `alg: none` and no signature, as an attacker would write it. */
export function unsignedToken(claims: JWTPayload = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${enc({ alg: "none", typ: "JWT" })}.${enc({ sub: "alice", iss: ISSUER, aud: AUDIENCE, exp: now + 300, ...claims })}.`;
}

export interface JwksServer extends AsyncDisposable {
  url: string;
  /** How many times the key set was fetched. */
  fetches(): number;
  setKeys(keys: TestKeyPair[]): void;
  /** Answer 500 from now on (an identity provider outage). */
  fail(failing: boolean): void;
  stop(): Promise<void>;
}

export async function startJwksServer(keys: TestKeyPair[]): Promise<JwksServer> {
  let current = keys;
  let failing = false;
  let count = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    reusePort: false,
    async fetch() {
      count++;
      if (failing) return new Response("down", { status: 500 });
      const jwks = await Promise.all(
        current.map(async (k) => ({
          ...(await exportJWK(k.publicKey)),
          kid: k.kid,
          alg: k.alg,
          use: "sig",
        })),
      );
      return Response.json({ keys: jwks });
    },
  });
  const stop = async () => {
    await server.stop(true);
  };
  return {
    url: `http://127.0.0.1:${server.port}/.well-known/jwks.json`,
    fetches: () => count,
    setKeys: (next) => {
      current = next;
    },
    fail: (value) => {
      failing = value;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
