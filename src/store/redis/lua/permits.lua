-- Shared rate limit for Moog requests: a sliding log in a sorted set (v2.5's key and type), on
-- Redis server time, granting up to N permits at once.
--
-- KEYS[1]  the log (mutt:rate_limit:moog), KEYS[2] a sequence counter for unique members
-- ARGV[1]  limit per window, ARGV[2] window in ms, ARGV[3] permits wanted
--
-- Returns {granted, wait_ms}: wait_ms is how long until the oldest entry leaves the window when
-- fewer than wanted were granted (0 otherwise). A limited caller waits; nothing is dropped.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - window)
local used = redis.call('ZCARD', KEYS[1])
local granted = math.max(0, math.min(wanted, limit - used))
if granted > 0 then
  local seq = redis.call('INCRBY', KEYS[2], granted)
  local args = {}
  for i = 1, granted do
    args[#args + 1] = now
    args[#args + 1] = now .. ':' .. (seq - granted + i)
  end
  redis.call('ZADD', KEYS[1], unpack(args))
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  redis.call('PEXPIRE', KEYS[2], window + 1000)
end
local wait = 0
if granted < wanted then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] then
    wait = math.max(1, tonumber(oldest[2]) + window - now)
  else
    wait = 1
  end
end
return {granted, wait}
