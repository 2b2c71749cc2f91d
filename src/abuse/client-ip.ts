/**
 * The client's address, for limits, bound tickets and logs. It is the socket's peer unless
 * that peer is a configured trusted proxy; only then is the forwarding header read, from
 * the right, skipping trusted hops: every entry left of the first untrusted one could have
 * been written by the client itself.
 */
import { BlockList, isIP } from "node:net";

export type ForwardedHeader = "x-forwarded-for" | "forwarded";

/** Longest forwarding header read; a longer one is ignored rather than parsed. */
const MAX_FORWARDED_LENGTH = 4096;
/** Hops examined at most, so a crafted header costs bounded work. */
const MAX_HOPS = 32;

/** Parses `10.0.0.0/8, fd00::/8, 127.0.0.1`; throws naming the bad entry. */
export function parseTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", bits, extra] = entry.split("/");
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    const max = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > max ||
      bits === ""
    )
      throw new Error(`"${entry.slice(0, 64)}" is not an IP address or CIDR range`);
    list.addSubnet(address, prefix, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

/** Lower-case, without zone id, and IPv4-mapped IPv6 written as IPv4. */
export function normalizeIp(address: string): string {
  const bare = address.toLowerCase().replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  return mapped ? mapped[1]! : bare;
}

export class ClientIpResolver {
  private readonly trusted: BlockList | null;

  constructor(
    trustedProxies: readonly string[] = [],
    private readonly header: ForwardedHeader = "x-forwarded-for",
  ) {
    this.trusted = trustedProxies.length > 0 ? parseTrustedProxies(trustedProxies) : null;
  }

  /** The client's address for a request whose TCP peer is `peer`. */
  resolve(peer: string | undefined, headers: Headers): string {
    if (peer === undefined) return "unknown";
    const socket = normalizeIp(peer);
    if (this.trusted === null || !this.isTrusted(socket)) return socket;

    const raw = headers.get(this.header);
    if (raw === null || raw.length > MAX_FORWARDED_LENGTH) return socket;
    const hops = (this.header === "forwarded" ? forwardedHops(raw) : raw.split(",")).slice(
      -MAX_HOPS,
    );

    let client = socket;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = parseHop(hops[i]!);
      // An entry we cannot read (obfuscated, "unknown", junk): the last proxy is all we know.
      if (hop === null) return client;
      client = hop;
      if (!this.isTrusted(hop)) return hop;
    }
    return client;
  }

  private isTrusted(address: string): boolean {
    return this.trusted?.check(address, isIP(address) === 6 ? "ipv6" : "ipv4") ?? false;
  }
}

/** RFC 7239: `for=` of each comma-separated element, in order. */
function forwardedHops(raw: string): string[] {
  return raw.split(",").map((element) => {
    for (const pair of element.split(";")) {
      const eq = pair.indexOf("=");
      if (eq > 0 && pair.slice(0, eq).trim().toLowerCase() === "for")
        return pair.slice(eq + 1).trim();
    }
    return "";
  });
}

/** One hop: `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:4711"` or `2001:db8::1`. */
function parseHop(raw: string): string | null {
  let value = raw.trim().replace(/^"(.*)"$/, "$1");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(value))
    value = value.slice(0, value.lastIndexOf(":"));
  return isIP(value) === 0 ? null : normalizeIp(value);
}

/**
 * The key an address is limited under. An IPv6 client usually holds a whole /64, so it is
 * limited per /64: otherwise one host could rotate through 2^64 fresh budgets.
 */
export function limitKeyForIp(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : address;
}

function expandIpv6(address: string): string[] | null {
  const [head = "", tail, extra] = address.split("::");
  if (extra !== undefined) return null;
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  if (right.some((g) => g.includes(".")) || left.some((g) => g.includes("."))) return null;
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right].map(
    (g) => g.padStart(4, "0"),
  );
}
