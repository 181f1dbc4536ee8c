-- Move the oldest DLQ entries to where they go next, atomically, only if they are still the ones
-- the caller read (nobody else popped or purged them meanwhile).
--
-- KEYS[1] the DLQ (LPUSHed: oldest at the right), KEYS[2] replay target, KEYS[3] the dead list
-- ARGV[1] n; then n triples (original, destination "t" or "d", new text), oldest first
--
-- Returns {replayed, dead}, or {-1, 0} when the DLQ's tail no longer matches.

local n = tonumber(ARGV[1])
local tail = redis.call('LRANGE', KEYS[1], -n, -1)
if #tail ~= n then
  return {-1, 0}
end
-- The tail reads newest..oldest; ARGV lists oldest first.
for i = 1, n do
  if tail[n - i + 1] ~= ARGV[2 + (i - 1) * 3] then
    return {-1, 0}
  end
end
local replayed, dead = 0, 0
for i = 1, n do
  redis.call('RPOP', KEYS[1])
  local dest = ARGV[3 + (i - 1) * 3]
  local text = ARGV[4 + (i - 1) * 3]
  if dest == 't' then
    redis.call('LPUSH', KEYS[2], text)
    replayed = replayed + 1
  else
    redis.call('LPUSH', KEYS[3], text)
    dead = dead + 1
  end
end
return {replayed, dead}
