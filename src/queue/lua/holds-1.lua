--[[
  Does a worker's processing list hold a job of this mission? The claim asks this when PostgreSQL says
  another worker is running the mission: if that worker's list still holds a job of it, the mission
  really is running there (this job is a duplicate push: drop it); if not, its job was reaped back to
  the queue (the worker died or stalled past its lease) and this claim may take the mission over, even
  though the row's heartbeat looks recent.

  KEYS[1]  <queue>:processing:<worker_id>
  ARGV[1]  mission id

  Returns how many jobs of the mission the list holds (the asking worker counts the copy it just
  claimed itself when the holder is its own id).
]]
local n = 0
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, job = pcall(cjson.decode, raw)
  if ok and type(job) == 'table' and job.mission_id == ARGV[1] then
    n = n + 1
  end
end
return n
