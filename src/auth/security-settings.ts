/** Settings of credentials, bound tickets and abuse limits; config-settings.ts lists them. */
import { parseTrustedProxies, type ForwardedHeader } from "../abuse/client-ip.ts";
import { DEFAULT_LIMITS } from "../abuse/limits.ts";
import { MAX_PER_MINUTE } from "../abuse/rate-limiter.ts";
import type { Setting } from "../config-settings.ts";
import { DEFAULT_CHANNELS_CLAIM } from "./jwt.ts";

export interface SecurityConfig {
  /** JSON or YAML file of named, scoped API keys. */
  keysFile: string | undefined;
  jwtHs256Secret: string | undefined;
  /** PEM text or a path to a PEM file. */
  jwtPublicKey: string | undefined;
  jwtAlgorithms: string[] | undefined;
  jwksUrl: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  jwtChannelsClaim: string;
  /** Addresses and CIDR ranges whose forwarding header is believed. */
  trustedProxies: string[];
  forwardedHeader: ForwardedHeader;
  /** Per minute; 0 turns a limit off. */
  rateMint: number;
  rateUpgrade: number;
  rateAuthFailures: number;
}

type Invalid = { invalid: string };

const text = (raw: string) => raw;
const list = (raw: string) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const perMinute = (raw: string): number | Invalid =>
  /^\d+$/.test(raw) && Number(raw) <= MAX_PER_MINUTE
    ? Number(raw)
    : { invalid: `must be a whole number from 0 to ${MAX_PER_MINUTE}` };

const KNOWN_ALGORITHMS = [
  "HS256",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

const algorithms = (raw: string): string[] | Invalid => {
  const entries = list(raw);
  const unknown = entries.find((a) => !KNOWN_ALGORITHMS.includes(a));
  return unknown === undefined
    ? entries
    : { invalid: `"${unknown.slice(0, 16)}" is not one of ${KNOWN_ALGORITHMS.join(", ")}` };
};

const proxies = (raw: string): string[] | Invalid => {
  const entries = list(raw);
  try {
    parseTrustedProxies(entries);
    return entries;
  } catch (error) {
    return { invalid: (error as Error).message };
  }
};

const claimName = (raw: string): string | Invalid =>
  /^[\w.:-]{1,64}$/.test(raw) ? raw : { invalid: "must be 1-64 of A-Z a-z 0-9 _ . : -" };

const forwarded = (raw: string): ForwardedHeader | Invalid => {
  const value = raw.toLowerCase();
  return value === "x-forwarded-for" || value === "forwarded"
    ? value
    : { invalid: "must be x-forwarded-for or forwarded" };
};

export const SECURITY_SETTINGS: Setting[] = [
  {
    key: "keysFile",
    env: "TICKETGATE_KEYS_FILE",
    flag: "keys-file",
    default: undefined,
    help: "JSON or YAML file of named API keys with scopes (mint, publish, revoke, admin)",
    parse: text,
  },
  {
    key: "jwtHs256Secret",
    env: "TICKETGATE_JWT_HS256_SECRET",
    flag: "jwt-hs256-secret",
    default: undefined,
    secret: true,
    help: "accept HS256 JWTs signed with this secret (32+ bytes)",
    parse: text,
  },
  {
    key: "jwtPublicKey",
    env: "TICKETGATE_JWT_PUBLIC_KEY",
    flag: "jwt-public-key",
    default: undefined,
    help: "accept JWTs signed by this PEM public key (inline PEM or a file path); RS256/ES256 by key type",
    parse: text,
  },
  {
    key: "jwtAlgorithms",
    env: "TICKETGATE_JWT_ALGORITHMS",
    flag: "jwt-algorithms",
    default: undefined,
    help: "pin the algorithms of the public key or JWKS (comma-separated)",
    parse: algorithms,
  },
  {
    key: "jwksUrl",
    env: "TICKETGATE_JWKS_URL",
    flag: "jwks-url",
    default: undefined,
    help: "accept JWTs signed by keys from this JWKS URL (https; cached, refetched on unknown kid)",
    parse: text,
  },
  {
    key: "jwtIssuer",
    env: "TICKETGATE_JWT_ISSUER",
    flag: "jwt-issuer",
    default: undefined,
    help: "required JWT iss",
    parse: text,
  },
  {
    key: "jwtAudience",
    env: "TICKETGATE_JWT_AUDIENCE",
    flag: "jwt-audience",
    default: undefined,
    help: "required JWT aud",
    parse: text,
  },
  {
    key: "jwtChannelsClaim",
    env: "TICKETGATE_JWT_CHANNELS_CLAIM",
    flag: "jwt-channels-claim",
    default: DEFAULT_CHANNELS_CLAIM,
    help: "JWT claim listing the channel patterns a token may ask for",
    parse: claimName,
  },
  {
    key: "trustedProxies",
    env: "TICKETGATE_TRUSTED_PROXIES",
    flag: "trusted-proxies",
    default: [],
    help: "comma-separated proxy addresses/CIDRs whose forwarding header is believed",
    parse: proxies,
  },
  {
    key: "forwardedHeader",
    env: "TICKETGATE_FORWARDED_HEADER",
    flag: "forwarded-header",
    default: "x-forwarded-for",
    help: "header the trusted proxies write: x-forwarded-for or forwarded",
    parse: forwarded,
  },
  {
    key: "rateMint",
    env: "TICKETGATE_RATE_MINT",
    flag: "rate-mint",
    default: DEFAULT_LIMITS.mintPerMinute,
    help: "tickets per minute per credential (0: no limit)",
    parse: perMinute,
  },
  {
    key: "rateUpgrade",
    env: "TICKETGATE_RATE_UPGRADE",
    flag: "rate-upgrade",
    default: DEFAULT_LIMITS.upgradePerMinute,
    help: "upgrade attempts per minute per client address (0: no limit)",
    parse: perMinute,
  },
  {
    key: "rateAuthFailures",
    env: "TICKETGATE_RATE_AUTH_FAILURES",
    flag: "rate-auth-failures",
    default: DEFAULT_LIMITS.authFailuresPerMinute,
    help: "failed authentications per minute per client address (0: no limit)",
    parse: perMinute,
  },
];
