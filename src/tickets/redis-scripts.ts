/**
 * The Lua scripts of the Redis store. Each runs atomically on the server, so the cap, the
 * single use and revocation hold across every gateway node sharing one Redis. Every reply
 * starts with a status word and echoes the hash or key it was about, so the client can tell
 * a reply that belongs to another command (see `redis.ts`).
 *
 * Key layout under the prefix P:
 *   P t:<hash>     the grant as JSON, PX = time to expiry + a short grace
 *   P d:<hash>     tombstone "used" or "revoked", PX = what was left of the ticket's TTL
 *   P live         sorted set hash → expiresAt of outstanding tickets: the cap's count
 *   P s:<sha256>   sorted set hash → expiresAt of one subject's tickets, for revocation
 */
import { createHash } from "node:crypto";

export interface RedisScript {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): RedisScript {
  return { source, sha1: createHash("sha1").update(source).digest("hex") };
}

/**
 * KEYS: ticket, live, subject set. ARGV: json, px, now, maxTickets, hash, expiresAt.
 * Reply: {"ok"|"full"|"exists", hash}.
 */
export const PUT_SCRIPT = script(`
local now = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {'full', ARGV[5]} end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'exists', ARGV[5]} end
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[3], ARGV[2]) end
return {'ok', ARGV[5]}
`);

/**
 * KEYS: ticket, tombstone, live. ARGV: hash, now.
 * Reply: {"ok", hash, json} | {"expired", hash} | {"tomb", hash, reason} | {"unknown", hash}.
 * GETDEL is the single step that hands the grant to one caller; the tombstone written in the
 * same script makes every later attempt read "used".
 */
export const CONSUME_SCRIPT = script(`
local pttl = redis.call('PTTL', KEYS[1])
local value = redis.call('GETDEL', KEYS[1])
if not value then
  local reason = redis.call('GET', KEYS[2])
  if reason then return {'tomb', ARGV[1], reason} end
  return {'unknown', ARGV[1]}
end
redis.call('ZREM', KEYS[3], ARGV[1])
local ok, record = pcall(cjson.decode, value)
local expires = ok and type(record) == 'table' and tonumber(record.expiresAt)
if not expires or expires <= tonumber(ARGV[2]) then return {'expired', ARGV[1]} end
if pttl > 0 then redis.call('SET', KEYS[2], 'used', 'PX', pttl) end
return {'ok', ARGV[1], value}
`);

/**
 * KEYS: subject set, live. ARGV: now, prefix. Reply: {"revoked", subject set key, count}.
 * Touches ticket and tombstone keys it derives from the prefix, which single-node Redis
 * allows and Redis Cluster would not; Bun's client does not speak Cluster either.
 */
export const REVOKE_SCRIPT = script(`
local hashes = redis.call('ZRANGE', KEYS[1], '(' .. ARGV[1], '+inf', 'BYSCORE')
local struck = 0
for _, hash in ipairs(hashes) do
  local ticket = ARGV[2] .. 't:' .. hash
  local pttl = redis.call('PTTL', ticket)
  if redis.call('DEL', ticket) == 1 then
    if pttl > 0 then redis.call('SET', ARGV[2] .. 'd:' .. hash, 'revoked', 'PX', pttl) end
    redis.call('ZREM', KEYS[2], hash)
    struck = struck + 1
  end
end
redis.call('DEL', KEYS[1])
return {'revoked', KEYS[1], struck}
`);

/** KEYS: live. ARGV: now. Reply: {"count", live key, n}. */
export const COUNT_SCRIPT = script(`
return {'count', KEYS[1], redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')}
`);
