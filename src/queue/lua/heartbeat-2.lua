--[[
  Renew a worker's lease and (re)register the worker.

  KEYS[1]  <queue>:lease:<worker_id>   string, value = worker id, expires after the lease time
  KEYS[2]  <queue>:workers             set of worker ids that may own a processing list

  ARGV[1]  worker id
  ARGV[2]  lease time in milliseconds

  Returns 1 when the lease was still alive, 0 when it had lapsed (the reaper may already have moved
  this worker's jobs back to the queue; they will run again elsewhere, which is safe because missions
  are idempotent).
]]
local alive = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return alive
