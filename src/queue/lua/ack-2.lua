--[[
  Acknowledge a finished job: remove it from the worker's processing list, only while the worker's
  lease is still the one it claimed the job under (fencing: a worker that stalled past its lease and
  woke up again cannot remove what is no longer its job).

  KEYS[1]  <queue>:processing:<worker_id>
  KEYS[2]  <queue>:lease:<worker_id>

  ARGV[1]  raw job text (exactly as claimed)
  ARGV[2]  the lease token

  Returns 1 when removed, 0 when it was not in the list, -1 when the lease is not this token's.
]]
if redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return -1
end
return redis.call('LREM', KEYS[1], 1, ARGV[1])
