--[[
  Give one job back: remove it from this worker's processing list and put it at the HEAD of the queue.
  Used on shutdown for missions that did not finish, and to hand back a job whose claim reply was lost.
  Nothing is pushed unless the job was really in the list, so a job can never be duplicated.

  KEYS[1]  <queue>:processing:<worker_id>
  KEYS[2]  <queue>

  ARGV[1]  raw job text (exactly as claimed)

  Returns 1 when the job was moved, 0 when it was not in the processing list.
]]
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed == 1 then
  redis.call('LPUSH', KEYS[2], ARGV[1])
end
return removed
