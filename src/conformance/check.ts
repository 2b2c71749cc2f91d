/** What a conformance check is, and the assertions checks share. */
import type { Answer, Target } from "./client.ts";

export interface SuiteOptions {
  /** An Origin the deployment admits, and one it refuses; checks needing them skip without. */
  originAllowed?: string;
  originDenied?: string;
  /** Parallel upgrades racing for one ticket. */
  raceSize: number;
  /** Wait for a 1-second ticket to expire (about 2 s). */
  expiry: boolean;
  /** Bad-key requests sent at most while waiting for the failed-auth limit; 0 skips. */
  authLimitAttempts: number;
  /** Junk upgrades sent at most while waiting for the upgrade limit; 0 skips. */
  upgradeLimitAttempts: number;
}

export interface CheckContext {
  target: Target;
  options: SuiteOptions;
}

export interface Check {
  id: string;
  /** What a pass proves, in one line. */
  title: string;
  run(ctx: CheckContext): Promise<string | void>;
}

/** A failed expectation; its message is the table's detail column. */
export class CheckFailure extends Error {
  override readonly name = "CheckFailure";
}

/** The check does not apply to this run (an option is missing). */
export class CheckSkipped extends Error {
  override readonly name = "CheckSkipped";
}

export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

/** The answer is an RFC 9457 problem with this status, and echoes none of `secrets`. */
export function ensureProblem(
  answer: Answer,
  status: number,
  secrets: string[] = [],
): Record<string, unknown> {
  ensure(answer.status === status, `expected HTTP ${status}, got ${answer.status}`);
  const type = answer.headers["content-type"] ?? "";
  ensure(
    type.startsWith("application/problem+json"),
    `expected application/problem+json, got "${type.slice(0, 40)}"`,
  );
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    throw new CheckFailure("problem body is not JSON");
  }
  ensure(body.status === status, "problem body's status differs from the HTTP status");
  ensure(
    typeof body.title === "string" && typeof body.detail === "string",
    "problem body lacks title or detail",
  );
  for (const secret of secrets)
    ensure(!answer.body.includes(secret), "the refusal echoes the credential or ticket");
  return body;
}

/** A refused upgrade must not leave the connection open for another request. */
export function ensureClosed(answer: Answer): void {
  ensure(answer.closed, "the connection stayed open after a refused upgrade");
}
