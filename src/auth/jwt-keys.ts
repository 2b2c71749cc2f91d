/**
 * Where JWT verification keys come from: a PEM public key (inline or a file) or a JWKS URL.
 * Each source names the algorithms it may verify; the verifier never lets a token choose.
 */
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  importX509,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
} from "jose";

export interface KeySource {
  algorithms: string[];
  key(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey | Uint8Array>;
}

/** The JWKS could not be fetched or read: an outage, not a bad token. */
export class JwksUnavailableError extends Error {
  override readonly name = "JwksUnavailableError";
}

/** A fetch of the key set gives up after this long. */
const JWKS_TIMEOUT_MS = 3_000;
/** After a refetch, an unknown `kid` waits this long before it may cause another one. */
const JWKS_COOLDOWN_MS = 30_000;
/** Keys are refetched at least this often, so a rotation reaches us without an unknown kid. */
const JWKS_MAX_AGE_MS = 10 * 60_000;
export const DEFAULT_JWKS_ALGORITHMS = ["RS256", "ES256"];

const RSA_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const EC_ALGORITHM_BY_CURVE: Record<string, string> = {
  prime256v1: "ES256",
  secp384r1: "ES384",
  secp521r1: "ES512",
};
const ASYMMETRIC = new Set([...RSA_ALGORITHMS, "ES256", "ES384", "ES512", "EdDSA", "Ed25519"]);

/** Reads a PEM public key or certificate; pins its algorithms by key type unless told. */
export async function loadPublicKeySource(
  setting: string,
  pinned: string[] | undefined,
): Promise<KeySource> {
  const pem = setting.includes("-----BEGIN") ? setting : readPem(setting);
  const label = /-----BEGIN ([A-Z ]+)-----/.exec(pem)?.[1];
  if (label !== "PUBLIC KEY" && label !== "CERTIFICATE")
    throw new Error(
      "TICKETGATE_JWT_PUBLIC_KEY must be a PEM PUBLIC KEY or CERTIFICATE (never a private key)",
    );

  let allowed: string[];
  try {
    allowed = algorithmsForKeyType(createPublicKey(pem));
  } catch {
    throw new Error("TICKETGATE_JWT_PUBLIC_KEY is not a readable PEM key");
  }
  const algorithms = pinned ?? allowed.slice(0, 1);
  for (const alg of algorithms)
    if (!allowed.includes(alg))
      throw new Error(
        `TICKETGATE_JWT_ALGORITHMS: ${alg} cannot be verified with this key (it allows ${allowed.join(", ")})`,
      );

  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms)
    keys.set(
      alg,
      label === "CERTIFICATE" ? await importX509(pem, alg) : await importSPKI(pem, alg),
    );
  return {
    algorithms,
    key: async (header) => {
      const key = keys.get(header.alg ?? "");
      if (!key) throw new errors.JOSEAlgNotAllowed("algorithm not allowed");
      return key;
    },
  };
}

/**
 * A remote key set, cached by jose and refetched on an unknown `kid` (with a cooldown, so
 * tokens with random kids cannot make us hammer the identity provider). Plain http is
 * refused except on loopback, where tests and sidecars live.
 */
export function loadJwksSource(
  setting: string,
  pinned: string[] | undefined,
  cooldownMs = JWKS_COOLDOWN_MS,
): KeySource {
  let url: URL;
  try {
    url = new URL(setting);
  } catch {
    throw new Error("TICKETGATE_JWKS_URL is not a URL");
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new Error("TICKETGATE_JWKS_URL must be https:// (plain http only on loopback)");

  const algorithms = pinned ?? DEFAULT_JWKS_ALGORITHMS;
  for (const alg of algorithms)
    if (!ASYMMETRIC.has(alg))
      throw new Error(
        `TICKETGATE_JWT_ALGORITHMS: ${alg} is not an asymmetric algorithm a JWKS can serve`,
      );

  const jwks = createRemoteJWKSet(url, {
    timeoutDuration: JWKS_TIMEOUT_MS,
    cooldownDuration: cooldownMs,
    cacheMaxAge: JWKS_MAX_AGE_MS,
  });
  return {
    algorithms,
    key: async (header, token) => {
      try {
        return await jwks(header, token);
      } catch (error) {
        // Keep jose's verdicts on the token; everything else is the key set failing us.
        if (
          error instanceof errors.JWKSNoMatchingKey ||
          error instanceof errors.JWKSMultipleMatchingKeys
        )
          throw error;
        if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
          throw error;
        throw new JwksUnavailableError("key set unavailable");
      }
    },
  };
}

function readPem(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `TICKETGATE_JWT_PUBLIC_KEY: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}

function algorithmsForKeyType(key: ReturnType<typeof createPublicKey>): string[] {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return RSA_ALGORITHMS;
    case "ec": {
      const alg = EC_ALGORITHM_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ""];
      return alg ? [alg] : [];
    }
    case "ed25519":
      return ["EdDSA", "Ed25519"];
    default:
      return [];
  }
}
