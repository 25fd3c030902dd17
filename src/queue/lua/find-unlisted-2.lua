--[[
  Reconciliation (PostgreSQL is the source of truth): of the candidate mission ids, which ones are in
  no Redis list at all — neither waiting in the queue nor claimed in any registered worker's
  processing list? Those jobs were lost (Redis restarted without persistence, a producer died between
  recording the mission and pushing its job) and the caller re-enqueues them from their rows.
  One script, so no job can move between lists while they are read.

  KEYS[1]  <queue>
  KEYS[2]  <queue>:workers                  set of worker ids; their lists are <queue>:processing:<id>
                                            (computed here, so not Redis Cluster safe: driftline does
                                            not support Cluster)
  ARGV[1]  the processing-list key prefix, "<queue>:processing:"
  ARGV[2..n]  candidate mission ids

  Returns the candidate ids found in no list. Cost: one cjson.decode per list entry (about 1 µs per
  small job: 100 000 queued jobs block Redis for about 0.1 s), so callers sweep rarely (every
  RECONCILE_INTERVAL_SECONDS) and only when PostgreSQL has candidates.
]]
local wanted = {}
for i = 2, #ARGV do wanted[ARGV[i]] = true end
local function scan(key)
  for _, raw in ipairs(redis.call('LRANGE', key, 0, -1)) do
    local ok, job = pcall(cjson.decode, raw)
    if ok and type(job) == 'table' and type(job.mission_id) == 'string' then
      wanted[job.mission_id] = nil
    end
  end
end
scan(KEYS[1])
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  scan(ARGV[1] .. worker)
end
local missing = {}
for i = 2, #ARGV do
  if wanted[ARGV[i]] then
    missing[#missing + 1] = ARGV[i]
    wanted[ARGV[i]] = nil
  end
end
return missing
