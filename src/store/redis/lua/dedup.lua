-- Decide whether an alert is sent or held back as a repeat of one sent within the window, for
-- every alerter at once (one key per host, rule and normalised message).
--
-- Idempotent per event for the last two alerts of a key: an event redelivered after a crash
-- (its audit row may already be written) gets the answer it got before, even when the window
-- has ended or another alert has been sent since: the alert it was chosen to carry is still
-- sent, a held-back event is counted once and stays a repeat of the same alert.
--
-- KEYS[1]  mutt:dedup:<rule>:<host>:<hash16>              hash: sent_event, sent_at_ms,
--          carry_count, carry_first (what the last alert carried), first_held (the time of the
--          first repeat held since), and prev_event, prev_at_ms, prev_count, prev_first (the
--          alert before it)
-- KEYS[2]  …:held       set of the event ids held back as repeats of sent_event
-- KEYS[3]  …:held_prev  set of those held back as repeats of prev_event
-- ARGV[1]  this event's id
-- ARGV[2]  window in milliseconds
-- ARGV[3]  this event's time (RFC 3339): first_seen of a run of repeats it starts
-- ARGV[4]  lifetime of the keys in seconds (a held count is carried for that long)
--
-- Returns {1, carry_count, carry_first}: send, carrying the repeats held since the last alert
-- (0 and '' when none); or {0, 0, event}: held back as a repeat of that event's alert.

local id = ARGV[1]
local h = redis.call('HMGET', KEYS[1], 'sent_event', 'sent_at_ms', 'carry_count', 'carry_first',
  'prev_event', 'prev_count', 'prev_first')
if h[1] == id then
  return {1, tonumber(h[3]) or 0, h[4] or ''}
end
if h[5] == id then
  return {1, tonumber(h[6]) or 0, h[7] or ''}
end
if redis.call('SISMEMBER', KEYS[2], id) == 1 then
  return {0, 0, h[1]}
end
if redis.call('SISMEMBER', KEYS[3], id) == 1 then
  return {0, 0, h[5]}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[4])
if h[2] and now - tonumber(h[2]) < tonumber(ARGV[2]) then
  redis.call('SADD', KEYS[2], id)
  redis.call('HSETNX', KEYS[1], 'first_held', ARGV[3])
  redis.call('EXPIRE', KEYS[2], ttl)
  return {0, 0, h[1]}
end
-- Send: what was held since the last alert is carried by this one.
local carry = redis.call('SCARD', KEYS[2])
local first = redis.call('HGET', KEYS[1], 'first_held') or ''
if carry > 0 then
  redis.call('RENAME', KEYS[2], KEYS[3])
  redis.call('EXPIRE', KEYS[3], ttl)
else
  redis.call('DEL', KEYS[3])
end
if h[1] then
  redis.call('HSET', KEYS[1], 'prev_event', h[1], 'prev_at_ms', h[2], 'prev_count', h[3] or 0,
    'prev_first', h[4] or '')
end
redis.call('HDEL', KEYS[1], 'first_held')
redis.call('HSET', KEYS[1], 'sent_event', id, 'sent_at_ms', now, 'carry_count', carry,
  'carry_first', first)
redis.call('EXPIRE', KEYS[1], ttl)
return {1, carry, first}
