--[[
  Renew a worker's lease, only while it is still this process's lease.

  KEYS[1]  <queue>:lease:<worker_id>   string = the lease token
  KEYS[2]  <queue>:workers             set of worker ids that may own a processing list

  ARGV[1]  worker id
  ARGV[2]  lease time in milliseconds
  ARGV[3]  the lease token this process holds

  Returns
    1  renewed;
    2  the lease had expired but the reaper had not run yet (the worker is still registered, so its
       processing list is untouched): taken again with the same token, nothing was lost;
    0  lost: the lease expired and the reaper returned this worker's jobs to the queue (they will run
       elsewhere; the worker must stop them and register again with a new token);
   -1  fenced: another process holds this worker id's lease (same WORKER_ID twice); stop everything.
]]
local held = redis.call('GET', KEYS[1])
if held == ARGV[3] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if held then
  return -1
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
  return 2
end
return 0
