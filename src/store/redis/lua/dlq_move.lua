-- Move chosen DLQ entries to a queue, each atomically: the exact entry is removed from the DLQ
-- and its replacement pushed onto the target in the same step, so a concurrent remediation
-- daemon or operator can neither replay it twice nor lose it. An entry no longer in the DLQ
-- (replayed or purged meanwhile) is skipped.
--
-- KEYS[1] the DLQ, KEYS[2] the target queue (LPUSH: the back of the line)
-- ARGV pairs (original text, replacement text), oldest first
--
-- Returns one 1 (moved) or 0 (vanished) per pair.

local out = {}
for i = 1, #ARGV, 2 do
  -- Negative count: the oldest copy, should identical entries exist.
  if redis.call('LREM', KEYS[1], -1, ARGV[i]) == 1 then
    redis.call('LPUSH', KEYS[2], ARGV[i + 1])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
