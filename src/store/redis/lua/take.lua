-- Move up to ARGV[1] messages from the consumer end of a queue into a processing list, and report
-- how many times each was delivered before (recovered from a dead consumer).
--
-- KEYS[1]  source queue (producers LPUSH; we take from the right: oldest first)
-- KEYS[2]  this consumer's processing list (we push on the left)
-- KEYS[3]  deliveries hash: sha1(message) -> earlier deliveries
-- ARGV[1]  most messages to move
--
-- Returns {msg1, n1, msg2, n2, ...} oldest first. Atomic, so a message is always in exactly one
-- of the two lists.

local out = {}
local track = redis.call('EXISTS', KEYS[3]) == 1
for i = 1, tonumber(ARGV[1]) do
  local msg = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not msg then
    break
  end
  local n = 0
  if track then
    n = tonumber(redis.call('HGET', KEYS[3], redis.sha1hex(msg)) or '0')
  end
  out[#out + 1] = msg
  out[#out + 1] = n
end
return out
