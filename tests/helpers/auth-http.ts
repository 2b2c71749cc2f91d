/** Small HTTP helpers for credential tests: mint with any bearer, read audit lines. */

export interface MintAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** POST /api/v1/tickets with `bearer` (omitted when null) and a JSON body. */
export async function mintWith(
  baseUrl: string,
  bearer: string | null,
  body: unknown = { subject: "alice" },
  path = "/api/v1/tickets",
  method = "POST",
): Promise<MintAnswer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: method === "POST" ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Non-JSON answers (metrics text) keep an empty body; tests read `text` then.
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Parsed log lines of one kind: `audit` lines, or access lines (no `log` field). */
export function auditLines(logs: string[]): Record<string, unknown>[] {
  return logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.log === "audit");
}

/** Asserts nothing in the logs contains `secret`; returns the offending line otherwise. */
export function lineContaining(logs: string[], secret: string): string | undefined {
  return logs.find((line) => line.includes(secret));
}
