/**
 * The ticket flow shared by both baseline servers (raw Bun and Node + ws), in plain
 * JavaScript so Node 20 runs it without a build step and Bun imports it unchanged.
 *
 * The baselines exist to price what ticketgate's framework and layers cost, so they do the
 * same essential work and nothing more: a constant-time bearer check, 256-bit tickets kept
 * only as SHA-256 hashes, a single-use consume with an expiry check, and the same frames.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { parseArgs } from "node:util";

/** Lifetime of a minted ticket; ticketgate's default is of the same order. */
export const TICKET_TTL_SECONDS = 30;
/** 32 random bytes as base64url is 43 characters; with the prefix a ticket is 47. */
const TICKET_LENGTH = 47;
/** Requests larger than this are refused before parsing: the flow never needs more. */
export const MAX_BODY_BYTES = 16 * 1024;
/** Paths the flow serves; the publish path carries the channel as its fourth segment. */
export const MINT_PATH = "/api/v1/tickets";
export const WS_PATH = "/ws";
export const PUBLISH_PATH = /^\/api\/v1\/channels\/([A-Za-z0-9._:-]{1,128})\/messages$/;

/**
 * Reads `--port`, `--host` and `--api-keys` (comma separated) like ticketgate does, so the
 * harness starts every server with the same command-line shape.
 * @param {string[]} argv
 */
export function parseServerArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "api-keys": { type: "string", default: process.env.TICKETGATE_API_KEYS ?? "" },
    },
    strict: true,
  });
  const apiKeys = values["api-keys"].split(",").filter((key) => key.length > 0);
  if (apiKeys.length === 0) throw new Error("--api-keys is required");
  return { port: Number(values.port), host: values.host, apiKeys };
}

/** The same start-up line ticketgate prints, which the harness waits for. */
export function logListening(port) {
  process.stdout.write(JSON.stringify({ level: "info", msg: "listening", port }) + "\n");
}

const sha256 = (text) => createHash("sha256").update(text).digest();

/**
 * Builds a checker for `Authorization: Bearer <key>` headers. Keys are compared as SHA-256
 * digests with `timingSafeEqual`, so nothing branches on a key's length or content.
 * @param {string[]} apiKeys
 */
export function createKeyCheck(apiKeys) {
  const digests = apiKeys.map(sha256);
  return (header) => {
    if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
    const presented = sha256(header.slice(7));
    let match = false;
    for (const digest of digests) match = timingSafeEqual(presented, digest) || match;
    return match;
  };
}

/**
 * Single-use tickets in one Map keyed by hash. `consume` looks up and deletes with no
 * `await` in between, which makes it atomic on one event loop. A timer sweeps expired
 * entries so a long mint-only phase cannot grow the map without bound.
 */
export function createTicketBook() {
  const grants = new Map();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [hash, grant] of grants) if (grant.expiresAt <= now) grants.delete(hash);
  }, 5_000);
  sweep.unref?.();

  return {
    mint(subject, channels) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const ticket = "tgt_" + Buffer.from(bytes).toString("base64url");
      const expiresAt = Date.now() + TICKET_TTL_SECONDS * 1000;
      grants.set(sha256(ticket).toString("base64url"), { subject, channels, expiresAt });
      return { ticket, expiresAt };
    },
    consume(ticket) {
      if (typeof ticket !== "string" || ticket.length !== TICKET_LENGTH) return undefined;
      const hash = sha256(ticket).toString("base64url");
      const grant = grants.get(hash);
      if (grant === undefined) return undefined;
      grants.delete(hash);
      return grant.expiresAt > Date.now() ? grant : undefined;
    },
  };
}

/**
 * Validates a mint body: `{"subject": string, "channels"?: string[]}`.
 * Returns the grant fields, or undefined when the body is not acceptable.
 */
export function parseMintBody(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== "object") return undefined;
  const { subject, channels = [] } = body;
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 256) return undefined;
  if (!Array.isArray(channels) || !channels.every((c) => typeof c === "string")) return undefined;
  return { subject, channels };
}

/** The 201 body of a successful mint. */
export function mintAnswer({ ticket, expiresAt }) {
  return JSON.stringify({
    ticket,
    expires_at: new Date(expiresAt).toISOString(),
    expires_in: TICKET_TTL_SECONDS,
  });
}

/** An RFC 9457 problem body; the baselines need only a title per status. */
export function problemBody(status, title) {
  return JSON.stringify({ type: "about:blank", title, status });
}

/** A fresh session id and the welcome frame that announces it. */
export function welcomeFrame(grant) {
  const session = randomUUID();
  return JSON.stringify({
    type: "welcome",
    session,
    subject: grant.subject,
    channels: grant.channels,
    metadata: null,
  });
}

/** Serialised once per publish, whatever the number of subscribers. */
export function messageFrame(channel, data) {
  const ts = new Date().toISOString();
  return JSON.stringify({ type: "message", channel, data, from: "server", ts });
}

/**
 * Interprets a client text frame. Only `subscribe` matters to the benchmark; a session may
 * subscribe to a channel its ticket granted, or to any channel when it granted none.
 * Returns the channel to join, or an error frame to send back.
 */
export function readClientFrame(text, grant) {
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    return { reply: JSON.stringify({ type: "error", code: "bad_json", message: "not JSON" }) };
  }
  if (frame?.type !== "subscribe" || typeof frame.channel !== "string") {
    const reply = { type: "error", code: "unknown_type", message: "unsupported" };
    return { reply: JSON.stringify(reply) };
  }
  if (grant.channels.length > 0 && !grant.channels.includes(frame.channel)) {
    return { reply: JSON.stringify({ type: "error", code: "forbidden", message: "not granted" }) };
  }
  const subscribed = { type: "subscribed", channel: frame.channel };
  if (frame.id !== undefined) subscribed.id = frame.id;
  return { join: frame.channel, reply: JSON.stringify(subscribed) };
}

/** Parses a publish body `{"data": ...}`; undefined when malformed or without `data`. */
export function parsePublishBody(text) {
  try {
    const body = JSON.parse(text);
    return body !== null && typeof body === "object" && "data" in body ? body : undefined;
  } catch {
    return undefined;
  }
}
