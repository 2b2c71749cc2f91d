/**
 * API keys for backends. Only SHA-256 digests are held in memory; a presented key is hashed
 * and compared against every digest in constant time, so neither timing nor the key's
 * length tells an attacker how close a guess came.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Prefix of generated keys, so secret scanners can spot a leaked one. */
export const GENERATED_KEY_PREFIX = "tgk_";
/** Plain-text keys shorter than this are refused at start-up: they can be guessed. */
export const MIN_KEY_LENGTH = 16;

export interface ApiKey {
  /** Non-reversible id for logs: names the key, never reveals it. */
  id: string;
  digest: Buffer;
}

export type KeyCheck = { ok: true; key: ApiKey } | { ok: false; reason: "missing" | "malformed" | "unknown" };

export class ApiKeyring {
  private constructor(private readonly keys: ApiKey[]) {}

  /** Parses config entries; throws an Error with one line naming the bad entry's position. */
  static fromEntries(entries: string[]): ApiKeyring {
    return new ApiKeyring(entries.map(parseEntry));
  }

  get size(): number {
    return this.keys.length;
  }

  /** Checks an `Authorization` header value. */
  verify(authorization: string | null): KeyCheck {
    if (authorization === null || authorization === "") return { ok: false, reason: "missing" };

    const match = /^Bearer +([\x21-\x7e]{1,512})$/i.exec(authorization);
    if (!match) return { ok: false, reason: "malformed" };

    const digest = sha256(match[1]!);
    let found: ApiKey | undefined;
    // Visit every key even after a match, so the time taken says nothing about which matched.
    for (const key of this.keys) if (timingSafeEqual(key.digest, digest)) found = key;
    return found ? { ok: true, key: found } : { ok: false, reason: "unknown" };
  }
}

/** A fresh random key, for a first start with none configured. */
export function generateApiKey(): string {
  return GENERATED_KEY_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

function parseEntry(entry: string, index: number): ApiKey {
  const hashed = /^sha256:([0-9a-f]{64})$/i.exec(entry);
  if (hashed) return keyFromDigest(Buffer.from(hashed[1]!, "hex"));
  if (entry.toLowerCase().startsWith("sha256:"))
    throw new Error(`TICKETGATE_API_KEYS entry ${index + 1}: sha256: must be followed by 64 hex digits`);
  if (entry.length < MIN_KEY_LENGTH)
    throw new Error(`TICKETGATE_API_KEYS entry ${index + 1}: a key needs at least ${MIN_KEY_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(entry))
    throw new Error(`TICKETGATE_API_KEYS entry ${index + 1}: a key must be printable ASCII without spaces`);
  return keyFromDigest(sha256(entry));
}

function keyFromDigest(digest: Buffer): ApiKey {
  return { id: "key_" + createHash("sha256").update(digest).digest("hex").slice(0, 8), digest };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
