-- Atomic bounded enqueue with ingest counters.
--
-- KEYS[1]      the queue (LPUSH end; consumers take from the right)
-- KEYS[2..n]   counters to INCRBY the number of items pushed
-- ARGV[1]      queue limit (0 = unlimited): refuse the whole batch if depth + items > limit
-- ARGV[2..n]   TTL in seconds of KEYS[2..n], set only when the counter has none yet
-- ARGV[n+1..]  the items, in arrival order
--
-- Returns {1, depth_after} when queued, {0, depth_now} when refused (nothing changed).
-- Checking and pushing in one script closes the LLEN/LPUSH race v2.5 had.

local queue = KEYS[1]
local ncounters = #KEYS - 1
local limit = tonumber(ARGV[1])
local first_item = 2 + ncounters
local nitems = #ARGV - first_item + 1

local depth = redis.call('LLEN', queue)
if nitems <= 0 then
  return {1, depth}
end
if limit > 0 and depth + nitems > limit then
  return {0, depth}
end

-- unpack() is bounded by the Lua C stack, so push in slices.
local slice = 1000
local i = first_item
while i <= #ARGV do
  local last = math.min(i + slice - 1, #ARGV)
  redis.call('LPUSH', queue, unpack(ARGV, i, last))
  i = last + 1
end

for k = 1, ncounters do
  local key = KEYS[k + 1]
  redis.call('INCRBY', key, nitems)
  -- TTL -1 means "exists without expiry": the bucket's first increment starts its clock.
  if redis.call('TTL', key) == -1 then
    redis.call('EXPIRE', key, tonumber(ARGV[k + 1]))
  end
end

return {1, depth + nitems}
