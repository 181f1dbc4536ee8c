-- Record one instance's heartbeat in its family's instance hash, on Redis's clock (so `mutt
-- status` on another host computes ages without clock skew), and forget instances silent for
-- longer than the forget window (crashed pods with one-off names would otherwise pile up).
--
-- KEYS[1] the instance hash
-- ARGV[1] pod, ARGV[2] instance id, ARGV[3] heartbeat lifetime (s), ARGV[4] forget after (ms),
-- ARGV[5] optional JSON object of daemon status fields (the alerter's rule count and cache age)
--
-- Returns the server time in ms.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local record = {}
-- Status fields first, so the fields below always win: a daemon cannot fake its liveness.
-- A malformed status is dropped rather than failing the beat (the heartbeat matters more).
if ARGV[5] and ARGV[5] ~= '' then
  local ok, status = pcall(cjson.decode, ARGV[5])
  if ok and type(status) == 'table' then
    for k, v in pairs(status) do
      if type(k) == 'string' then
        record[k] = v
      end
    end
  end
end
record.instance = ARGV[2]
record.last_seen_ms = now
record.ttl_s = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
local forget = tonumber(ARGV[4])
if forget > 0 then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local ok, v = pcall(cjson.decode, all[i + 1])
    if not ok or type(v) ~= 'table' or type(v.last_seen_ms) ~= 'number'
        or now - v.last_seen_ms > forget then
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
end
return now
