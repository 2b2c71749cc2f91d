/** Ticket values, hashing, API keys and log redaction: the pieces the security model rests on. */
import { describe, expect, test } from "bun:test";
import { ApiKeyring, generateApiKey } from "../../src/auth/api-keys.ts";
import { loggablePath, redactSecrets } from "../../src/observability/logger.ts";
import { generateTicket, hashTicket, isWellFormedTicket } from "../../src/tickets/ticket.ts";

describe("tickets", () => {
  test("are tgt_ plus 43 base64url characters carrying 256 random bits", () => {
    const ticket = generateTicket();
    expect(ticket).toMatch(/^tgt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(ticket.slice(4), "base64url")).toHaveLength(32);
    expect(isWellFormedTicket(ticket)).toBe(true);
  });

  test("do not repeat", () => {
    const seen = new Set(Array.from({ length: 10_000 }, generateTicket));
    expect(seen.size).toBe(10_000);
  });

  test("hash to a SHA-256 that does not contain the ticket", () => {
    const ticket = generateTicket();
    const hash = hashTicket(ticket);
    expect(Buffer.from(hash, "base64url")).toHaveLength(32);
    expect(hash).not.toContain(ticket.slice(4, 20));
    expect(hashTicket(ticket)).toBe(hash);
  });

  test.each([
    "",
    "tgt_",
    `tgt_${"a".repeat(44)}`,
    `TGT_${"a".repeat(43)}`,
    `tgt_${"a".repeat(42)}=`,
    `tgt_${"a".repeat(42)}+`,
  ])("refuse the shape %p", (value) => expect(isWellFormedTicket(value)).toBe(false));
});

describe("API keys", () => {
  const key = "a-backend-key-0123456789";
  const ring = ApiKeyring.fromEntries([
    key,
    `sha256:${new Bun.CryptoHasher("sha256").update("other-key-0123456789").digest("hex")}`,
  ]);

  test("accept a plain and a hashed entry, naming the key by a non-secret id", () => {
    const a = ring.verify(`Bearer ${key}`);
    const b = ring.verify("bearer other-key-0123456789");
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.key.id).toMatch(/^key_[0-9a-f]{8}$/);
      expect(a.key.id).not.toBe(b.key.id);
    }
  });

  test.each([
    [null, "missing"],
    ["", "missing"],
    ["Bearer", "malformed"],
    ["Token abc", "malformed"],
    [`Bearer ${key}x`, "unknown"],
    [`Bearer ${key.toUpperCase()}`, "unknown"],
  ])("refuse %p as %s", (header, reason) => {
    expect(ring.verify(header)).toEqual({ ok: false, reason: reason as never });
  });

  test("generated keys are tgk_ plus 43 characters and accepted by a ring", () => {
    const generated = generateApiKey();
    expect(generated).toMatch(/^tgk_[A-Za-z0-9_-]{43}$/);
    expect(ApiKeyring.fromEntries([generated]).verify(`Bearer ${generated}`).ok).toBe(true);
  });
});

describe("log hygiene", () => {
  test("masks ticket, key and JWT shapes inside strings", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlc2ln";
    const text = `a ${generateTicket()} b ${generateApiKey()} c ${jwt}`;
    const redacted = redactSecrets(text);
    expect(redacted).not.toMatch(/tgt_[A-Za-z0-9]{8}|tgk_[A-Za-z0-9]{8}|eyJhbGci/);
    expect(redacted.match(/\[redacted\]/g)).toHaveLength(3);
  });

  test.each([
    ["http://h:1/ws?ticket=tgt_x", "/ws"],
    ["http://h/api/v1/tickets", "/api/v1/tickets"],
    ["http://h", "/"],
    ["http://h/?a=b", "/"],
  ])("logs %s as %s", (url, path) => {
    expect(loggablePath(url)).toBe(path);
  });
});
