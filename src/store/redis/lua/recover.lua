-- Return a dead consumer's processing list to the consumer end of its source queue, oldest
-- message first in line, counting one more delivery for each (so a message that keeps killing
-- its consumer is eventually dead-lettered instead of looping forever).
--
-- KEYS[1]  the dead consumer's processing list (newest on the left)
-- KEYS[2]  the source queue (consumers take from the right)
-- KEYS[3]  deliveries hash: sha1(message) -> earlier deliveries
--
-- Returns the number of messages moved.

local moved = 0
while true do
  -- Newest first to the right end: each older one then lands to its right, so the oldest ends
  -- up rightmost and is taken first.
  local msg = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not msg then
    break
  end
  redis.call('HINCRBY', KEYS[3], redis.sha1hex(msg), 1)
  moved = moved + 1
end
return moved
