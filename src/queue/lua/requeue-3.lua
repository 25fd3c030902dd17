--[[
  Give one job back: remove it from this worker's processing list and put it at the HEAD of the queue.
  Used on shutdown for missions that did not finish, and to hand back a job whose claim reply was lost.
  Nothing is pushed unless the job was really in the list, so a job can never be duplicated; nothing
  moves unless the lease is still this token's (fencing).

  KEYS[1]  <queue>:processing:<worker_id>
  KEYS[2]  <queue>
  KEYS[3]  <queue>:lease:<worker_id>

  ARGV[1]  raw job text (exactly as claimed)
  ARGV[2]  the lease token

  Returns 1 when the job was moved, 0 when it was not in the processing list, -1 when fenced.
]]
if redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return -1
end
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed == 1 then
  redis.call('LPUSH', KEYS[2], ARGV[1])
end
return removed
