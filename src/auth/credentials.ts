/**
 * Who is asking: one bearer credential, read once and checked as exactly one kind. A value
 * shaped like a JWT goes to the JWT verifier only, anything else to the keyring only, so a
 * token is never tried as a key or the reverse. Failures carry a precise reason for the log
 * and the counter; the caller is only ever told 401 (or 503 when the key set is down).
 */
import type { ChannelGrant } from "../channels/grammar.ts";
import type { Clock } from "../tickets/clock.ts";
import { MAX_KEY_LENGTH, type ApiKeyring } from "./api-keys.ts";
import type { JwtRefusal, JwtVerifier } from "./jwt.ts";
import { JWT_SCOPES, type Scope } from "./scopes.ts";
import { looksLikeJwt } from "./token-shape.ts";

/** Longest bearer value read at all: generous for a JWT with a channels claim. */
export const MAX_CREDENTIAL_LENGTH = 8192;

export type Principal =
  | { kind: "key"; id: string; scopes: ReadonlySet<Scope> }
  | {
      kind: "jwt";
      /** Non-reversible id of the subject at its issuer: the mint limit's key. */
      id: string;
      subject: string;
      issuer: string | undefined;
      channels: ChannelGrant[];
      scopes: ReadonlySet<Scope>;
    };

export type CredentialRefusal =
  "missing" | "malformed" | "unknown" | "jwt_not_accepted" | JwtRefusal;

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 503; reason: CredentialRefusal; kind: "key" | "jwt" | "none" };

export class Authenticator {
  constructor(
    private readonly keyring: ApiKeyring,
    private readonly jwt: JwtVerifier | null,
    private readonly clock: Clock,
  ) {}

  get acceptsJwt(): boolean {
    return this.jwt !== null;
  }

  /** Checks an `Authorization` header value. */
  async authenticate(authorization: string | null): Promise<AuthResult> {
    const refuse = (
      reason: CredentialRefusal,
      kind: "key" | "jwt" | "none",
      status: 401 | 503 = 401,
    ): AuthResult => ({
      ok: false,
      status,
      reason,
      kind,
    });
    if (authorization === null || authorization === "") return refuse("missing", "none");

    const match = /^Bearer +([\x21-\x7e]+)$/i.exec(authorization);
    const credential = match?.[1];
    if (credential === undefined || credential.length > MAX_CREDENTIAL_LENGTH)
      return refuse("malformed", "none");

    if (looksLikeJwt(credential)) {
      if (this.jwt === null) return refuse("jwt_not_accepted", "jwt");
      const check = await this.jwt.verify(credential, this.clock.now());
      if (!check.ok)
        return refuse(check.reason, "jwt", check.reason === "jwks_unavailable" ? 503 : 401);
      return { ok: true, principal: { kind: "jwt", ...check.identity, scopes: JWT_SCOPES } };
    }

    if (credential.length > MAX_KEY_LENGTH) return refuse("malformed", "key");
    const key = this.keyring.match(credential);
    if (!key) return refuse("unknown", "key");
    return { ok: true, principal: { kind: "key", id: key.id, scopes: key.scopes } };
  }
}
