/**
 * The two Lua scripts that make the cache correct under concurrent writes; each runs atomically
 * in Redis. SQL-as-data's counterpart: text only, run by store.ts and invalidator.ts.
 *
 * FILL writes a value read after a miss only if nothing it read was invalidated meanwhile: the
 * epoch is still the one seen at the miss, and no tag of the value has an invalidation number
 * above the counter seen at the miss. Without this, a refill that read the old row before a
 * commit and wrote after its invalidation would bring the old value back for a whole TTL.
 *
 * INVALIDATE takes the next invalidation number, stamps every tag with it, deletes the values
 * registered under the tags, and raises the floors (WAL positions, fixed-width hex, compared as
 * strings) that later refills must have replayed. Values are deleted by the names their tags
 * hold, which a single Redis node allows (a cluster would need the values and tags in one slot).
 */

/** KEYS: value, epoch, tag versions (n), tag member sets (n). ARGV: epoch, seq, ttl ms, payload, n, member-set ttl ms. */
export const FILL_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[5])
local seen = tonumber(ARGV[2])
for i = 1, n do
  local v = redis.call('GET', KEYS[2 + i])
  if v and tonumber(v) > seen then return 0 end
end
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[3])
for i = 1, n do
  local members = KEYS[2 + n + i]
  redis.call('SADD', members, KEYS[1])
  redis.call('PEXPIRE', members, ARGV[6])
end
return 1
`;

/** KEYS: seq, then per tag its version and member set, then the floors. ARGV: lsn key, tags n, floors m, ttl ms of versions and floors. */
export const INVALIDATE_SCRIPT = `
local s = redis.call('INCR', KEYS[1])
local n = tonumber(ARGV[2])
local m = tonumber(ARGV[3])
local deleted = 0
for i = 0, n - 1 do
  local version = KEYS[2 + 2 * i]
  local members = KEYS[3 + 2 * i]
  redis.call('SET', version, s, 'PX', ARGV[4])
  for _, key in ipairs(redis.call('SMEMBERS', members)) do
    deleted = deleted + redis.call('DEL', key)
  end
  redis.call('DEL', members)
end
for j = 0, m - 1 do
  local floor = KEYS[2 + 2 * n + j]
  local current = redis.call('GET', floor)
  if (not current) or current < ARGV[1] then redis.call('SET', floor, ARGV[1], 'PX', ARGV[4]) end
end
return deleted
`;

/**
 * How long invalidation numbers and floors are kept: far longer than any read in flight and
 * than a replica may lag before the router stops using it. A floor that expired could only let a
 * replica more than an hour behind refill, and the router drops such a replica long before.
 */
export const TAG_TTL_MS = 3_600_000;
