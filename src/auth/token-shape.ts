/**
 * The one rule that tells a JWT from an API key, by shape alone: three base64url segments,
 * the first starting `eyJ` (a JSON object's `{"`). API keys with that shape are refused at
 * start-up, so a credential is only ever checked as one kind and never as the other.
 */

const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(credential: string): boolean {
  return JWT_SHAPE.test(credential);
}
