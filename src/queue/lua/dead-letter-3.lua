--[[
  Move a job that failed for good to the dead-letter list, atomically with its removal from the
  processing list (so it is never in both, and never in neither), only while the lease is still
  this token's (fencing).

  KEYS[1]  <queue>:processing:<worker_id>
  KEYS[2]  <queue>:dead                     list of JSON envelopes:
                                            {mission_id, raw, error: {code, message, field?}, attempts,
                                             worker_id, failed_at}
  KEYS[3]  <queue>:lease:<worker_id>
  ARGV[1]  raw job text (exactly as claimed)
  ARGV[2]  the envelope (JSON text)
  ARGV[3]  the lease token

  Returns 1 when the job was dead-lettered, 0 when it was no longer in the processing list (its lease
  lapsed and another worker owns it now; that worker records its own outcome), -1 when fenced.
]]
if redis.call('GET', KEYS[3]) ~= ARGV[3] then
  return -1
end
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
end
return removed
