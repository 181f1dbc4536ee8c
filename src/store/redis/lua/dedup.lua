-- Decide whether an alert is sent or held back as a repeat of one sent within the window, for
-- every alerter at once (one key per host, rule and normalised message). Idempotent per event:
-- a redelivered event gets the same answer again (the alert it decided to send is still sent;
-- a held-back event is counted once, as a member of the held set).
--
-- KEYS[1]  mutt:dedup:<rule>:<host>:<hash16>         hash: sent_event, sent_at_ms,
--                                                     carry_count, carry_first, first_held
-- KEYS[2]  mutt:dedup:<rule>:<host>:<hash16>:held    set of held-back event ids
-- ARGV[1]  this event's id
-- ARGV[2]  window in milliseconds
-- ARGV[3]  this event's time (RFC 3339), the first_seen of a run of repeats it starts
-- ARGV[4]  lifetime of both keys in seconds (a held count is carried for that long)
--
-- Returns {1, carry_count, carry_first}: send, carrying the repeats held since the last alert
-- (0 and '' when none); or {0, 0, sent_event}: held back as a repeat of that event's alert.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sent = redis.call('HMGET', KEYS[1], 'sent_event', 'sent_at_ms', 'carry_count', 'carry_first')
if sent[1] == ARGV[1] then
  return {1, tonumber(sent[3]) or 0, sent[4] or ''}
end
if sent[2] and now - tonumber(sent[2]) < tonumber(ARGV[2]) then
  if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
    redis.call('HSETNX', KEYS[1], 'first_held', ARGV[3])
  end
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
  return {0, 0, sent[1]}
end
local carry = redis.call('SCARD', KEYS[2])
local first = redis.call('HGET', KEYS[1], 'first_held') or ''
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], 'first_held')
redis.call('HSET', KEYS[1], 'sent_event', ARGV[1], 'sent_at_ms', now,
  'carry_count', carry, 'carry_first', first)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return {1, carry, first}
