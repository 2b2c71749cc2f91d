/**
 * What travels between nodes: queries answered from the local node, and checks of every
 * answer's shape before it is trusted (another node's bug, or a reply Bun's client handed
 * to the wrong command, must not become a wrong HTTP answer or an exception).
 */
import { MAX_SUBJECT_LENGTH } from "../tickets/ticket.ts";
import { isChannelName } from "../channels/grammar.ts";
import type { LocalNode, Presence, SessionInfo } from "./hub.ts";

export type QueryOp = "presence" | "sessions" | "revokeSubject" | "revokeSession";

/** Same bound as the sessions route's `limit`. */
export const MAX_PAGE = 1000;

type Args = Record<string, unknown>;

/** This node's answer to another node's query; undefined when the query is malformed. */
export function answerQuery(local: LocalNode, node: string, query: unknown): unknown {
  if (!isRecord(query) || !isRecord(query.args)) return undefined;
  const args: Args = query.args;
  switch (query.op) {
    case "presence":
      return typeof args.channel === "string" && isChannelName(args.channel)
        ? local.presence(args.channel)
        : undefined;
    case "sessions": {
      const { subject, after, limit } = args;
      if (!isOptionalString(subject) || !isOptionalString(after)) return undefined;
      if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PAGE)
        return undefined;
      return local
        .sessions({ subject, after, limit: limit as number })
        .map((s) => ({ ...s, node }));
    }
    case "revokeSubject":
      return isSubject(args.subject) ? local.closeSubject(args.subject, Date.now()) : undefined;
    case "revokeSession":
      return typeof args.session === "string" ? local.closeSession(args.session) : undefined;
    default:
      return undefined;
  }
}

export function isAnswerTo(op: QueryOp, answer: unknown): boolean {
  switch (op) {
    case "presence":
      return isPresence(answer);
    case "sessions":
      return Array.isArray(answer) && answer.every(isSessionInfo);
    case "revokeSubject":
      return Number.isInteger(answer) && (answer as number) >= 0;
    case "revokeSession":
      return typeof answer === "boolean";
  }
}

export type Revocation = { kind: "subject" | "session"; id: string; at: number };

/** Reads `ZRANGEBYSCORE … WITHSCORES`, flat (RESP2) or as pairs (RESP3); skips odd entries. */
export function parseRevocations(reply: unknown): Revocation[] {
  if (!Array.isArray(reply)) return [];
  const pairs: unknown[][] = Array.isArray(reply[0]) ? (reply as unknown[][]) : chunkPairs(reply);
  const out: Revocation[] = [];
  for (const [member, score] of pairs) {
    const at = Number(score);
    if (typeof member !== "string" || !Number.isFinite(at)) continue;
    if (member.startsWith("u:") && isSubject(member.slice(2)))
      out.push({ kind: "subject", id: member.slice(2), at });
    else if (member.startsWith("s:")) out.push({ kind: "session", id: member.slice(2), at });
  }
  return out;
}

function chunkPairs(flat: unknown[]): unknown[][] {
  const pairs: unknown[][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

function isPresence(value: unknown): value is Presence {
  if (!isRecord(value) || !Number.isInteger(value.sessions) || typeof value.truncated !== "boolean")
    return false;
  return (
    Array.isArray(value.subjects) &&
    value.subjects.every(
      (s) => isRecord(s) && typeof s.subject === "string" && Number.isInteger(s.sessions),
    )
  );
}

function isSessionInfo(value: unknown): value is SessionInfo {
  if (!isRecord(value)) return false;
  const { session, subject, node, opened_at, expires_at, channels } = value;
  return (
    [session, subject, node, opened_at, expires_at].every((field) => typeof field === "string") &&
    Array.isArray(channels) &&
    channels.every((c) => typeof c === "string")
  );
}

function isSubject(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_SUBJECT_LENGTH;
}

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === "string";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
