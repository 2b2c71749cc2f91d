/**
 * Channel names and the permission patterns a ticket carries. This file is the one
 * definition of the grammar: the mint route, the session and the admin routes all ask it.
 *
 * A channel name is 1-128 characters from `A-Z a-z 0-9 _ - . : @ =`. Nothing else, so no
 * name can contain pattern syntax, whitespace, `/`, `%`, control or look-alike Unicode
 * characters. `:` separates segments by convention (`chat:lobby`, `user:alice:inbox`).
 *
 * A pattern is a name with two optional extras:
 * - `{subject}`, replaced by the ticket's subject when the ticket is minted. It must fill a
 *   whole `:`-separated segment (`user:{subject}`, `dm:{subject}:*`, `{subject}:inbox`, not
 *   `user{subject}` or `user:{subject}*`), and the subject must itself be one segment: name
 *   characters without `:`. Otherwise the mint is refused. Both rules keep one subject's
 *   channels out of another's: subject `bob*` cannot become a wildcard, `bob:x` cannot
 *   reach into `user:bob:*`, and `user:{subject}*` cannot let `bob` read `user:bobby`.
 * - one `*` as the very last character, matching one or more name characters, `:` included
 *   (`chat:*` matches `chat:lobby` and `chat:team:1`, not `chat:` or `chatroom`).
 * A lone `*` grants every channel. Matching is exact and case-sensitive; there is no other
 * wildcard, no escaping, no decoding and no normalisation, so there is nothing to escape
 * from: `chat:..:admin` is simply a channel under `chat:`, never `admin`.
 *
 * A pattern may be marked subscribe-only by the ticket (`publish: false`).
 *
 * A re-authenticating session may only narrow its grants: every new grant must be covered
 * by one current grant (a `*` pattern covers the exact names and the longer `*` patterns it
 * matches), and a publish grant needs a covering publish grant. Coverage by several grants
 * together is not computed; such a ticket is refused, which errs on the safe side.
 */

export const MAX_CHANNEL_LENGTH = 128;
/** A channel name as a regular expression source, for schemas (OpenAPI path parameters). */
export const CHANNEL_NAME_PATTERN = "^[A-Za-z0-9_.:@=-]{1,128}$";
const NAME = new RegExp(CHANNEL_NAME_PATTERN);
const PATTERN = /^(?:[A-Za-z0-9_.:@=-]|\{subject\})*\*?$/;
/** A `{subject}` that does not fill a whole segment: glued to a neighbour other than `:`. */
const PLACEHOLDER_NOT_SEGMENT = /[^:]\{subject\}|\{subject\}(?!:|$)/;
/** What a subject must look like to be put into a pattern: one segment of name characters. */
const SEGMENT = /^[A-Za-z0-9_.@=-]+$/;
const SUBJECT_PLACEHOLDER = "{subject}";

/** One permission of a ticket after expansion. */
export interface ChannelGrant {
  pattern: string;
  publish: boolean;
}

export function isChannelName(value: string): boolean {
  return NAME.test(value);
}

/** Checks a pattern as written in a mint request; returns a reason or null. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_CHANNEL_LENGTH)
    return "must be 1-128 characters";
  if (!PATTERN.test(pattern))
    return "may hold only A-Z a-z 0-9 _ - . : @ =, {subject}, and one * at the end";
  if (PLACEHOLDER_NOT_SEGMENT.test(pattern))
    return "{subject} must fill a whole :-separated segment";
  return null;
}

/**
 * Replaces `{subject}`; null when the subject is not one segment of name characters or the
 * result would be too long. Call it only on patterns `patternProblem` accepted.
 */
export function expandPattern(pattern: string, subject: string): string | null {
  if (!pattern.includes(SUBJECT_PLACEHOLDER)) return pattern;
  if (!SEGMENT.test(subject)) return null;
  const expanded = pattern.split(SUBJECT_PLACEHOLDER).join(subject);
  return expanded.length > MAX_CHANNEL_LENGTH ? null : expanded;
}

/** True when an expanded pattern admits the channel name. */
export function matchesPattern(pattern: string, channel: string): boolean {
  if (!pattern.endsWith("*")) return pattern === channel;
  const prefix = pattern.slice(0, -1);
  return channel.length > prefix.length && channel.startsWith(prefix);
}

/** Finds the grant that admits a channel for the given action, if any. */
export function isAllowed(
  grants: readonly ChannelGrant[],
  channel: string,
  action: "subscribe" | "publish",
): boolean {
  if (!isChannelName(channel)) return false;
  for (const grant of grants) {
    if (action === "publish" && !grant.publish) continue;
    if (matchesPattern(grant.pattern, channel)) return true;
  }
  return false;
}

/** True when every channel `narrow` admits is also admitted by `wide` (both expanded). */
export function patternCovers(wide: string, narrow: string): boolean {
  if (!wide.endsWith("*")) return wide === narrow;
  if (!narrow.endsWith("*")) return matchesPattern(wide, narrow);
  return narrow.startsWith(wide.slice(0, -1));
}

/** True when `next` grants nothing `current` does not: the rule for re-authentication. */
export function isNarrowing(
  next: readonly ChannelGrant[],
  current: readonly ChannelGrant[],
): boolean {
  return next.every((grant) =>
    current.some(
      (held) => (held.publish || !grant.publish) && patternCovers(held.pattern, grant.pattern),
    ),
  );
}
