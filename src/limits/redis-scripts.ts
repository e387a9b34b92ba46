import { createHash } from "node:crypto";
import type { RedisClient } from "../redis/redis-client.js";

/**
 * A Lua script sent by SHA (EVALSHA) and, when Redis does not know it (first use, restart,
 * SCRIPT FLUSH), once in full (EVAL), which also loads it for the next calls.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(client: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Admission, all or nothing. KEYS: requests window, tokens window, slots (sorted set of slot ids
 * scored by lease deadline), budget period. A limit of -1 means the dimension does not apply.
 * ARGV: now, requests limit, requests ttl, tokens limit, tokens estimate, tokens ttl,
 * concurrency limit, lease deadline, slot id, slots ttl, budget limit (micro-USD),
 * budget estimate (micro-USD), budget ttl.
 * Returns {refusal mask, requests, tokens, slots in use, spent} as they were before admission.
 * Every key written gets its expiry in the same script: no counter can be left without one.
 * The refusal rule mirrors `failures` in plan.ts.
 */
export const admitScript = new LuaScript(`
local mask = 0
local requestLimit = tonumber(ARGV[2])
local requests = 0
if requestLimit >= 0 then
  requests = tonumber(redis.call('GET', KEYS[1]) or '0')
  if requests + 1 > requestLimit then mask = mask + 1 end
end
local tokenLimit = tonumber(ARGV[4])
local tokenEstimate = tonumber(ARGV[5])
local tokens = 0
if tokenLimit >= 0 then
  tokens = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tokens >= tokenLimit or tokens + tokenEstimate > tokenLimit then mask = mask + 2 end
end
local slotLimit = tonumber(ARGV[7])
local inUse = 0
if slotLimit >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
  inUse = redis.call('ZCARD', KEYS[3])
  if inUse >= slotLimit then mask = mask + 4 end
end
local budgetLimit = tonumber(ARGV[11])
local budgetEstimate = tonumber(ARGV[12])
local spent = 0
if budgetLimit >= 0 then
  spent = tonumber(redis.call('GET', KEYS[4]) or '0')
  if spent >= budgetLimit or spent + budgetEstimate > budgetLimit then mask = mask + 8 end
end
if mask == 0 then
  if requestLimit >= 0 then
    redis.call('INCR', KEYS[1])
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
  end
  if tokenLimit >= 0 then
    redis.call('INCRBY', KEYS[2], tokenEstimate)
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
  end
  if slotLimit >= 0 then
    redis.call('ZADD', KEYS[3], ARGV[8], ARGV[9])
    redis.call('PEXPIRE', KEYS[3], ARGV[10])
  end
  if budgetLimit >= 0 then
    redis.call('INCRBY', KEYS[4], budgetEstimate)
    redis.call('PEXPIRE', KEYS[4], ARGV[13])
  end
end
return {mask, requests, tokens, inUse, spent}
`);

/**
 * Settlement: corrects the token and budget reservations by a delta (negative to return them)
 * in the windows they were made in, only while those still exist (INCRBY keeps the expiry, and
 * a vanished window is not recreated without one), and frees the slot.
 * KEYS: tokens window, budget period, slots. ARGV: token delta, micro-USD delta, slot id.
 * An empty slot id means no slot.
 */
export const settleScript = new LuaScript(`
local function adjust(key, delta)
  if delta ~= 0 and redis.call('EXISTS', key) == 1 then
    if redis.call('INCRBY', key, delta) < 0 then redis.call('SET', key, 0, 'KEEPTTL') end
  end
end
adjust(KEYS[1], tonumber(ARGV[1]))
adjust(KEYS[2], tonumber(ARGV[2]))
if ARGV[3] ~= '' then redis.call('ZREM', KEYS[3], ARGV[3]) end
return 1
`);

/**
 * Current usage for GET /v1/limits, without writing. KEYS as in admission;
 * ARGV: now, then 1/0 for requests, tokens, slots, budget.
 */
export const readScript = new LuaScript(`
local function count(key, wanted)
  if wanted ~= '1' then return 0 end
  return tonumber(redis.call('GET', key) or '0')
end
local inUse = 0
if ARGV[4] == '1' then inUse = redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[1], '+inf') end
return {count(KEYS[1], ARGV[2]), count(KEYS[2], ARGV[3]), inUse, count(KEYS[4], ARGV[5])}
`);
