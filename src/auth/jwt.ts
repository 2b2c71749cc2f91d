/**
 * JWT bearers: a browser's token from its identity provider, verified with `jose`. Built
 * once at start-up: each key source pins its own algorithms (an HS256 secret only HS256, a
 * public key only what its type allows, a JWKS only the configured list), so a token can
 * never pick the algorithm it is checked with, and `alg: none` is never accepted.
 */
import { createHash } from "node:crypto";
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { ChannelGrant } from "../channels/grammar.ts";
import { grantsFromClaim } from "./channel-claims.ts";
import {
  JwksUnavailableError,
  loadJwksSource,
  loadPublicKeySource,
  type KeySource,
} from "./jwt-keys.ts";

/** Leeway for `exp`/`nbf`/`iat` against skewed clocks: explicit and small. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 10;
/** Shortest HS256 secret: RFC 7518 3.2 asks for at least the hash's size. */
export const MIN_HS256_SECRET_BYTES = 32;
export const DEFAULT_CHANNELS_CLAIM = "ticketgate_channels";
/** A subject like the mint body's: 1-256 printable characters. */
const SUBJECT = /^[^\p{C}]{1,256}$/u;

export interface JwtSettings {
  hs256Secret?: string;
  /** PEM text, or a path to a PEM file (SPKI public key or X.509 certificate). */
  publicKey?: string;
  /** Pins the public key's or the JWKS's algorithms; default: by key type / RS256+ES256. */
  algorithms?: string[];
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  channelsClaim?: string;
  /** Wait between JWKS refetches caused by unknown kids, in ms; tests shorten it. */
  jwksCooldownMs?: number;
}

/** Why a token was refused: for the log and the counter only; the caller sees 401. */
export type JwtRefusal =
  | "jwt_malformed"
  | "jwt_algorithm"
  | "jwt_signature"
  | "jwt_expired"
  | "jwt_not_yet_valid"
  | "jwt_issuer"
  | "jwt_audience"
  | "jwt_claims"
  | "jwt_unknown_key"
  | "jwks_unavailable";

export interface JwtIdentity {
  subject: string;
  issuer: string | undefined;
  /** Channel patterns the claim grants, already expanded for the subject. */
  channels: ChannelGrant[];
  /** Short non-reversible id of this subject at this issuer, for limits and logs. */
  id: string;
}

export type JwtCheck = { ok: true; identity: JwtIdentity } | { ok: false; reason: JwtRefusal };

export class JwtVerifier {
  private constructor(
    private readonly sources: KeySource[],
    private readonly settings: JwtSettings,
  ) {}

  /** Null when no JWT setting is given: JWT bearers are then refused. Throws on bad settings. */
  static async fromSettings(settings: JwtSettings): Promise<JwtVerifier | null> {
    const sources: KeySource[] = [];
    if (settings.hs256Secret !== undefined) sources.push(hs256Source(settings.hs256Secret));
    if (settings.publicKey !== undefined)
      sources.push(await loadPublicKeySource(settings.publicKey, settings.algorithms));
    if (settings.jwksUrl !== undefined)
      sources.push(loadJwksSource(settings.jwksUrl, settings.algorithms, settings.jwksCooldownMs));
    if (sources.length === 0) return null;

    const seen = new Set<string>();
    for (const alg of sources.flatMap((s) => s.algorithms)) {
      if (seen.has(alg))
        throw new Error(`JWT algorithm ${alg} is claimed by two key settings; pin them apart`);
      seen.add(alg);
    }
    return new JwtVerifier(sources, settings);
  }

  get algorithms(): string[] {
    return this.sources.flatMap((s) => s.algorithms);
  }

  /** Verifies signature, algorithm, time claims, `iss` and `aud` at `now` (epoch ms). */
  async verify(token: string, now: number): Promise<JwtCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keyFor, {
        algorithms: this.algorithms,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now),
        requiredClaims: ["sub", "exp"],
      }));
    } catch (error) {
      return { ok: false, reason: refusalOf(error) };
    }

    const subject = payload.sub;
    if (typeof subject !== "string" || !SUBJECT.test(subject))
      return { ok: false, reason: "jwt_claims" };
    const claim = payload[this.settings.channelsClaim ?? DEFAULT_CHANNELS_CLAIM];
    const id =
      "jwt_" +
      createHash("sha256")
        .update(`${payload.iss ?? ""}\n${subject}`)
        .digest("hex")
        .slice(0, 8);
    return {
      ok: true,
      identity: { subject, issuer: payload.iss, channels: grantsFromClaim(claim, subject), id },
    };
  }

  /** jose calls this after it has checked `alg` against the allowed list. */
  private readonly keyFor: JWTVerifyGetKey = (header, token) => {
    const source = this.sources.find((s) => s.algorithms.includes(header.alg ?? ""));
    if (!source) throw new errors.JOSEAlgNotAllowed("algorithm not allowed");
    return source.key(header, token);
  };
}

function hs256Source(secret: string): KeySource {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_HS256_SECRET_BYTES)
    throw new Error(`TICKETGATE_JWT_HS256_SECRET must be at least ${MIN_HS256_SECRET_BYTES} bytes`);
  return { algorithms: ["HS256"], key: async () => bytes };
}

function refusalOf(error: unknown): JwtRefusal {
  if (error instanceof errors.JWTExpired) return "jwt_expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "jwt_not_yet_valid";
    if (error.claim === "iss") return "jwt_issuer";
    if (error.claim === "aud") return "jwt_audience";
    return "jwt_claims";
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return "jwt_algorithm";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "jwt_signature";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return "jwt_unknown_key";
  if (error instanceof JwksUnavailableError) return "jwks_unavailable";
  return "jwt_malformed";
}
