--[[
  Return a dead worker's jobs to the queue: if the worker's lease has expired, move every job of its
  processing list to the HEAD of the queue (they are the oldest work), keeping their order, and
  unregister the worker. Any worker runs this periodically for every registered worker.

  KEYS[1]  <queue>:lease:<worker_id>
  KEYS[2]  <queue>:processing:<worker_id>   list of raw job texts being worked on
  KEYS[3]  <queue>                          list of pending raw job texts (producers RPUSH, workers take LEFT)
  KEYS[4]  <queue>:workers                  set of worker ids

  ARGV[1]  worker id

  Returns -1 when the lease is alive (nothing done), otherwise the number of jobs moved.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local moved = 0
-- RIGHT -> LEFT: the newest claim goes to the head first, so the oldest ends up first.
while redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT') do
  moved = moved + 1
end
redis.call('SREM', KEYS[4], ARGV[1])
return moved
