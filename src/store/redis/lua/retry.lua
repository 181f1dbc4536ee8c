-- The forwarder's delayed retries, in a sorted set scored by due time (Redis server time, ms).
--
-- "schedule": KEYS[1] retry set; ARGV[2..] pairs of (delay_ms, message) -> number scheduled
-- "due":      KEYS[1] retry set, KEYS[2] alert queue; ARGV[2] most to move -> number moved
--             (moved to the consumer end of the queue, so they are sent next)

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] == 'schedule' then
  local n = 0
  for i = 2, #ARGV, 2 do
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[i]), ARGV[i + 1])
    n = n + 1
  end
  return n
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, msg in ipairs(due) do
  redis.call('ZREM', KEYS[1], msg)
  redis.call('RPUSH', KEYS[2], msg)
end
return #due
