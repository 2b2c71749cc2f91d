/**
 * API keys for backends. Only SHA-256 digests are held in memory; a presented key is hashed
 * and compared against every digest in constant time, so neither timing nor the key's
 * length tells an attacker how close a guess came. Each key carries the scopes it may use.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ALL_SCOPES, type Scope } from "./scopes.ts";
import { looksLikeJwt } from "./token-shape.ts";

/** Prefix of generated keys, so secret scanners can spot a leaked one. */
export const GENERATED_KEY_PREFIX = "tgk_";
/** Plain-text keys shorter than this are refused at start-up: they can be guessed. */
export const MIN_KEY_LENGTH = 16;
/** Longest key accepted, at start-up and in a request. */
export const MAX_KEY_LENGTH = 512;

export interface ApiKey {
  /** Non-reversible id for logs: names the key, never reveals it. */
  id: string;
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

export type KeyCheck =
  { ok: true; key: ApiKey } | { ok: false; reason: "missing" | "malformed" | "unknown" };

export class ApiKeyring {
  private constructor(private readonly keys: ApiKey[]) {}

  /**
   * Parses `TICKETGATE_API_KEYS` entries; throws an Error with one line naming the bad
   * entry's position. These keys hold every scope, as they did before scopes existed.
   */
  static fromEntries(entries: string[]): ApiKeyring {
    return new ApiKeyring(
      entries.map((entry, i) =>
        parseKeyEntry(entry, `TICKETGATE_API_KEYS entry ${i + 1}`, ALL_SCOPES),
      ),
    );
  }

  /** A ring of ready keys; throws when two share an id or a digest. */
  static fromKeys(keys: ApiKey[]): ApiKeyring {
    const ids = new Set<string>();
    const digests = new Set<string>();
    for (const key of keys) {
      if (ids.has(key.id)) throw new Error(`API key id "${key.id}" is configured twice`);
      const hex = key.digest.toString("hex");
      if (digests.has(hex)) throw new Error(`API key "${key.id}" is the same key as another entry`);
      ids.add(key.id);
      digests.add(hex);
    }
    return new ApiKeyring(keys);
  }

  get size(): number {
    return this.keys.length;
  }

  /** The keys themselves (digests and scopes), to merge rings at start-up. */
  list(): readonly ApiKey[] {
    return this.keys;
  }

  /** Checks an `Authorization` header value. */
  verify(authorization: string | null): KeyCheck {
    if (authorization === null || authorization === "") return { ok: false, reason: "missing" };

    const match = /^Bearer +([\x21-\x7e]{1,512})$/i.exec(authorization);
    if (!match) return { ok: false, reason: "malformed" };
    const key = this.match(match[1]!);
    return key ? { ok: true, key } : { ok: false, reason: "unknown" };
  }

  /** Finds the key whose digest equals the presented key's, if any. */
  match(presented: string): ApiKey | undefined {
    const digest = sha256(presented);
    let found: ApiKey | undefined;
    // Visit every key even after a match, so the time taken says nothing about which matched.
    for (const key of this.keys) if (timingSafeEqual(key.digest, digest)) found = key;
    return found;
  }
}

/** A fresh random key, for a first start with none configured. */
export function generateApiKey(): string {
  return (
    GENERATED_KEY_PREFIX +
    Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")
  );
}

/**
 * Turns one configured key (plain text or `sha256:<hex>`) into an ApiKey. `where` names the
 * entry in error messages, which never repeat the key. Without an explicit id, the id is
 * derived from the digest.
 */
export function parseKeyEntry(
  entry: string,
  where: string,
  scopes: ReadonlySet<Scope>,
  id?: string,
): ApiKey {
  const hashed = /^sha256:([0-9a-f]{64})$/i.exec(entry);
  if (hashed) return keyFromDigest(Buffer.from(hashed[1]!, "hex"), scopes, id);
  if (entry.toLowerCase().startsWith("sha256:"))
    throw new Error(`${where}: sha256: must be followed by 64 hex digits`);
  if (entry.length < MIN_KEY_LENGTH)
    throw new Error(`${where}: a key needs at least ${MIN_KEY_LENGTH} characters`);
  if (entry.length > MAX_KEY_LENGTH)
    throw new Error(`${where}: a key may have at most ${MAX_KEY_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(entry))
    throw new Error(`${where}: a key must be printable ASCII without spaces`);
  // A key shaped like a JWT would be sent to the JWT verifier and never match: refuse it now.
  if (looksLikeJwt(entry))
    throw new Error(`${where}: a key must not have the shape of a JWT (eyJ….….…)`);
  return keyFromDigest(sha256(entry), scopes, id);
}

function keyFromDigest(digest: Buffer, scopes: ReadonlySet<Scope>, id?: string): ApiKey {
  return {
    id: id ?? "key_" + createHash("sha256").update(digest).digest("hex").slice(0, 8),
    digest,
    scopes,
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
