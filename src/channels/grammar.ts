/**
 * Channel names and the permission patterns a ticket carries.
 *
 * A channel name is 1-128 characters from `A-Z a-z 0-9 _ - . : @ =`. Nothing else, so no
 * name can contain pattern syntax, whitespace, control or look-alike Unicode characters.
 *
 * A pattern is a name with two optional extras:
 * - `{subject}` anywhere, replaced by the ticket's subject when the ticket is minted (the
 *   subject must then itself be a valid name fragment, or the mint is refused);
 * - one `*` as the very last character, matching one or more name characters, `:` included
 *   (`chat:*` matches `chat:lobby` and `chat:team:1`, not `chat:` or `chatroom`).
 * A lone `*` grants every channel. Matching is exact and case-sensitive; there is no other
 * wildcard, no escaping and no normalisation, so there is nothing to escape from.
 *
 * A pattern may be marked subscribe-only by the ticket (`publish: false`).
 */

export const MAX_CHANNEL_LENGTH = 128;
const NAME = /^[A-Za-z0-9_.:@=-]{1,128}$/;
const PATTERN = /^(?:[A-Za-z0-9_.:@=-]|\{subject\})*\*?$/;
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
  if (pattern.length === 0 || pattern.length > MAX_CHANNEL_LENGTH) return "must be 1-128 characters";
  if (!PATTERN.test(pattern))
    return "may hold only A-Z a-z 0-9 _ - . : @ =, {subject}, and one * at the end";
  return null;
}

/** Replaces `{subject}`; null when the result would not be a valid pattern. */
export function expandPattern(pattern: string, subject: string): string | null {
  const expanded = pattern.split(SUBJECT_PLACEHOLDER).join(subject);
  if (expanded.length > MAX_CHANNEL_LENGTH) return null;
  const body = expanded.endsWith("*") ? expanded.slice(0, -1) : expanded;
  if (body !== "" && !/^[A-Za-z0-9_.:@=-]+$/.test(body)) return null;
  return expanded;
}

/** True when an expanded pattern admits the channel name. */
export function matchesPattern(pattern: string, channel: string): boolean {
  if (!pattern.endsWith("*")) return pattern === channel;
  const prefix = pattern.slice(0, -1);
  return channel.length > prefix.length && channel.startsWith(prefix);
}

/** Finds the grant that admits a channel for the given action, if any. */
export function isAllowed(grants: readonly ChannelGrant[], channel: string, action: "subscribe" | "publish"): boolean {
  if (!isChannelName(channel)) return false;
  for (const grant of grants) {
    if (action === "publish" && !grant.publish) continue;
    if (matchesPattern(grant.pattern, channel)) return true;
  }
  return false;
}
