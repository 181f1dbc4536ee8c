-- Count an event no rule matched, and raise the meta-alert once per window when the count
-- reaches the threshold (v2.5's keys; `>=` so lowering the threshold mid-window cannot skip it).
--
-- KEYS[1]  counter   mutt:unhandled:<host>:<hash16>
-- KEYS[2]  guard     mutt:unhandled:<host>:<hash16>:triggered
-- KEYS[3]  alert queue
-- ARGV[1]  threshold (<= 0: never alert)
-- ARGV[2]  window in seconds
-- ARGV[3]  the meta-alert message, pushed in the same step so it can never be lost between
--          the decision and the push
--
-- Returns 1 when the meta-alert was pushed, 0 otherwise (counted, or suppressed by the guard).

if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
local threshold = tonumber(ARGV[1])
if threshold > 0 and count >= threshold then
  redis.call('SET', KEYS[2], count, 'EX', tonumber(ARGV[2]))
  redis.call('DEL', KEYS[1])
  redis.call('LPUSH', KEYS[3], ARGV[3])
  return 1
end
return 0
