/** Ticket values: minting, shape checks and the one-way hash that stores keep. */
import { createHash } from "node:crypto";
import type { ChannelGrant } from "../channels/grammar.ts";

/** The prefix lets secret scanners recognise a leaked ticket. */
export const TICKET_PREFIX = "tgt_";
/** 32 random bytes: 256 bits, twice the floor the security model sets. */
export const TICKET_RANDOM_BYTES = 32;
/** base64url of 32 bytes is 43 characters without padding. */
const TICKET_PATTERN = /^tgt_[A-Za-z0-9_-]{43}$/;

/** What a ticket grants, written at mint time and handed to the session that redeems it. */
export interface TicketGrant {
  subject: string;
  /** Permission patterns, already expanded for the subject. */
  channels: ChannelGrant[];
  metadata?: Record<string, unknown>;
}

/** A grant as a store holds it: keyed by the ticket's hash, never by the ticket. */
export interface TicketRecord extends TicketGrant {
  /** Epoch milliseconds after which the ticket is refused. */
  expiresAt: number;
}

/** Creates a fresh ticket value from the platform CSPRNG. */
export function generateTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TICKET_RANDOM_BYTES));
  return TICKET_PREFIX + Buffer.from(bytes).toString("base64url");
}

/** True when the value has the exact shape of a ticket; says nothing of its validity. */
export function isWellFormedTicket(value: string): boolean {
  return value.length === 47 && TICKET_PATTERN.test(value);
}

/** SHA-256 of the ticket, base64url: the only form in which a ticket is ever stored. */
export function hashTicket(ticket: string): string {
  return createHash("sha256").update(ticket).digest("base64url");
}

/** A short, non-reversible id that ties a ticket's log lines together without revealing it. */
export function ticketLogId(hash: string): string {
  return hash.slice(0, 12);
}

/** Longest subject, in UTF-16 code units (the schema's `maxLength`). */
export const MAX_SUBJECT_LENGTH = 256;
/**
 * Not printable: control, format, surrogate, private-use and unassigned code points (\p{C})
 * and the line and paragraph separators, which break log lines and terminals.
 */
const UNPRINTABLE = /[\p{C}\u2028\u2029]/u;

/** A subject a ticket may carry: 1-256 printable characters, not only white space. */
export function isValidSubject(subject: string): boolean {
  return (
    subject.length > 0 &&
    subject.length <= MAX_SUBJECT_LENGTH &&
    !UNPRINTABLE.test(subject) &&
    subject.trim().length > 0
  );
}
