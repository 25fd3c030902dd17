--[[
  A worker process takes its lease: a fresh random token, replacing whatever lease its WORKER_ID had
  (a restarted container reuses its id; the process before it is gone, or is now fenced out because
  its token no longer matches), and registers the worker for the reaper.

  KEYS[1]  <queue>:lease:<worker_id>   string = the lease token, expires after the lease time
  KEYS[2]  <queue>:workers             set of worker ids that may own a processing list

  ARGV[1]  worker id
  ARGV[2]  lease time in milliseconds
  ARGV[3]  the new lease token

  Returns 1.
]]
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
