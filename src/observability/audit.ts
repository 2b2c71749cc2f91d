/**
 * The audit stream: one JSON line per security event, on the same sink as the access log
 * but marked `"log":"audit"` so a collector can route it apart. Lines tie a ticket's life
 * together by `ticket_id` (a prefix of the ticket's SHA-256, never the ticket) and name
 * credentials by key id or JWT subject/issuer, never by value.
 */
import type { Logger } from "./logger.ts";

export type AuditEvent =
  | "ticket.minted"
  | "ticket.redeemed"
  | "ticket.refused"
  | "session.revoked"
  | "key.used"
  | "credential.refused";

export interface CredentialFields {
  /** `key` or `jwt`. */
  credential: "key" | "jwt";
  key_id?: string;
  jwt_sub?: string;
  jwt_iss?: string;
}

export interface Audit {
  ticketMinted(
    fields: CredentialFields & { ticket_id: string; subject: string; ttl: number; bound: string[] },
  ): void;
  ticketRedeemed(fields: { ticket_id: string; session: string; subject: string; ip: string }): void;
  ticketRefused(fields: { reason: string; status: number; ip: string; ticket_id?: string }): void;
  sessionRevoked(fields: {
    session?: string;
    subject?: string;
    /** Sessions closed over every node, for a subject's revocation. */
    count?: number;
    tickets_revoked?: number;
    key_id?: string;
    reason?: string;
  }): void;
  keyUsed(fields: { key_id: string; method: string; path: string; ip: string }): void;
  credentialRefused(fields: {
    reason: string;
    kind: string;
    status: number;
    ip: string;
    path: string;
  }): void;
}

export function createAudit(logger: Logger): Audit {
  const log = logger.child({ log: "audit" });
  const write = (event: AuditEvent, fields: object) => log.info(event, { event, ...fields });
  return {
    ticketMinted: (f) => write("ticket.minted", f),
    ticketRedeemed: (f) => write("ticket.redeemed", f),
    ticketRefused: (f) => write("ticket.refused", f),
    sessionRevoked: (f) => write("session.revoked", f),
    keyUsed: (f) => write("key.used", f),
    credentialRefused: (f) => write("credential.refused", f),
  };
}
