-- Atomic bounded enqueue of several request groups (group commit), with ingest counters.
--
-- KEYS[1]        the queue (LPUSH end; consumers take from the right)
-- KEYS[2..k+1]   k counters to INCRBY the number of items pushed
-- ARGV[1]        queue limit (0 = unlimited)
-- ARGV[2..k+1]   TTL in seconds of each counter, set only when the counter has none yet
-- ARGV[k+2]      g, the number of groups
-- ARGV[k+3..]    the g group sizes, then every group's items in order
--
-- Each group is all or nothing: it is pushed only if depth + its size stays within the limit,
-- so one large request cannot take a half-full queue past the cap and a refused group never
-- blocks a smaller one behind it. Checking and pushing in one script closes v2.5's LLEN/LPUSH
-- race. Returns {ok_1, depth_1, ok_2, depth_2, …}: ok = 1 queued (depth after it), 0 refused
-- (depth at refusal).

local queue = KEYS[1]
local ncounters = #KEYS - 1
local limit = tonumber(ARGV[1])
local groups_at = ncounters + 2
local ngroups = tonumber(ARGV[groups_at])
local item = groups_at + ngroups + 1
local depth = redis.call('LLEN', queue)
local pushed = 0
local result = {}

-- unpack() is bounded by the Lua C stack, so push in slices.
local slice = 1000
for g = 1, ngroups do
  local size = tonumber(ARGV[groups_at + g])
  if limit > 0 and depth + size > limit then
    result[#result + 1] = 0
    result[#result + 1] = depth
  else
    local i = item
    local last_item = item + size - 1
    while i <= last_item do
      local last = math.min(i + slice - 1, last_item)
      redis.call('LPUSH', queue, unpack(ARGV, i, last))
      i = last + 1
    end
    depth = depth + size
    pushed = pushed + size
    result[#result + 1] = 1
    result[#result + 1] = depth
  end
  item = item + size
end

if pushed > 0 then
  for k = 1, ncounters do
    local key = KEYS[k + 1]
    redis.call('INCRBY', key, pushed)
    -- TTL -1 means "exists without expiry": the bucket's first increment starts its clock.
    if redis.call('TTL', key) == -1 then
      redis.call('EXPIRE', key, tonumber(ARGV[k + 1]))
    end
  end
end

return result
