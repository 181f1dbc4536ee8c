-- Sliding-window rate limit on Redis server time, shared by every instance.
--
-- KEYS[1]  a hash holding per-window counters for one client (fields = window numbers)
-- ARGV[1]  limit: requests allowed per window
-- ARGV[2]  window length in seconds
--
-- The estimate is the current window's count plus the previous window's count weighted by how
-- much of it still overlaps the sliding window. Refused requests are not counted. Uses the
-- server's clock so instances with skewed clocks agree. Returns {1, 0} when allowed, or
-- {0, retry_after_seconds} when refused.

local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local bucket = math.floor(now / window)
local counts = redis.call('HMGET', KEYS[1], tostring(bucket), tostring(bucket - 1))
local cur = tonumber(counts[1] or '0')
local prev = tonumber(counts[2] or '0')
local elapsed = now - bucket * window
local weight = (window - elapsed) / window

if prev * weight + cur + 1 > limit then
  local retry
  if prev > 0 and cur + 1 <= limit then
    -- wait until enough of the previous window has slid out
    retry = (window - elapsed) - (limit - cur - 1) * window / prev
  else
    -- the current window alone is full: wait for the next one to start
    retry = window - elapsed
  end
  return {0, math.max(1, math.ceil(retry))}
end

redis.call('HINCRBY', KEYS[1], tostring(bucket), 1)
if redis.call('HLEN', KEYS[1]) > 2 then
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    local n = tonumber(field)
    if n ~= bucket and n ~= bucket - 1 then
      redis.call('HDEL', KEYS[1], field)
    end
  end
end
redis.call('EXPIRE', KEYS[1], window * 2 + 1)
return {1, 0}
