-- Take back a dedup decision whose event was not audited after all (the database refused its
-- row, so it went to the DLQ): run in the batch's MULTI/EXEC, before the acknowledgement.
--
-- KEYS[1..3]  as in dedup.lua
-- ARGV[1]     the event's id
--
-- A held-back event leaves the count. An alert that was to be sent is unsent: its key's state
-- goes back to the alert before it, and the repeats it carried, with those held since, wait for
-- the next alert of the key.

local id = ARGV[1]
if redis.call('SREM', KEYS[2], id) == 1 then
  if redis.call('SCARD', KEYS[2]) == 0 then
    redis.call('HDEL', KEYS[1], 'first_held')
  end
  return 1
end
if redis.call('SREM', KEYS[3], id) == 1 then
  return 1
end
local h = redis.call('HMGET', KEYS[1], 'sent_event', 'carry_first', 'prev_event', 'prev_at_ms',
  'prev_count', 'prev_first', 'first_held')
if h[1] ~= id then
  return 0
end
redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[3])
redis.call('DEL', KEYS[3])
local first = h[2]
if not first or first == '' then
  first = h[7]
end
if first and first ~= '' then
  redis.call('HSET', KEYS[1], 'first_held', first)
end
if h[3] then
  redis.call('HSET', KEYS[1], 'sent_event', h[3], 'sent_at_ms', h[4], 'carry_count', h[5] or 0,
    'carry_first', h[6] or '')
  redis.call('HDEL', KEYS[1], 'prev_event', 'prev_at_ms', 'prev_count', 'prev_first')
else
  redis.call('HDEL', KEYS[1], 'sent_event', 'sent_at_ms', 'carry_count', 'carry_first')
end
return 1
