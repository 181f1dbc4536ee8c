-- The Moog circuit breaker, shared by every forwarder, as one atomic state machine on v2.5's keys.
--
-- KEYS[1] …:state      CLOSED | OPEN | HALF_OPEN
-- KEYS[2] …:failures   consecutive failures
-- KEYS[3] …:open_time  epoch seconds (server time) when it opened
-- KEYS[4] …:probe      holder of the single half-open probe (expires)
-- ARGV[1] "allow" or "record"
--
-- allow:  ARGV[2] open timeout s, ARGV[3] caller id, ARGV[4] probe lifetime s
--         -> {decision, state}: 1 send, 2 send as the one probe, 0 do not send
-- record: ARGV[2] threshold, ARGV[3] outcomes in order ("S" success, "F" failure)
--         -> {state, failures}

local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('GET', KEYS[1]) or 'CLOSED'

if ARGV[1] == 'allow' then
  if state == 'CLOSED' then
    return {1, state}
  end
  if state == 'OPEN' then
    local opened = tonumber(redis.call('GET', KEYS[3]) or '0')
    if now - opened < tonumber(ARGV[2]) then
      return {0, state}
    end
    state = 'HALF_OPEN'
    redis.call('SET', KEYS[1], state)
  end
  -- Half open: exactly one caller cluster-wide gets to probe.
  if redis.call('SET', KEYS[4], ARGV[3], 'NX', 'EX', tonumber(ARGV[4])) then
    return {2, state}
  end
  return {0, state}
end

local threshold = tonumber(ARGV[2])
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
for i = 1, #ARGV[3] do
  if string.sub(ARGV[3], i, i) == 'S' then
    failures = 0
    if state ~= 'CLOSED' then
      state = 'CLOSED'
      redis.call('DEL', KEYS[3], KEYS[4])
    end
  else
    failures = failures + 1
    if state == 'HALF_OPEN' or (state == 'CLOSED' and failures >= threshold) then
      state = 'OPEN'
      redis.call('SET', KEYS[3], tostring(now))
      redis.call('DEL', KEYS[4])
    end
  end
end
redis.call('SET', KEYS[1], state)
redis.call('SET', KEYS[2], failures)
return {state, failures}
