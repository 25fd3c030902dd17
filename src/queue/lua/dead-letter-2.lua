--[[
  Move a job that failed for good to the dead-letter list, atomically with its removal from the
  processing list (so it is never in both, and never in neither).

  KEYS[1]  <queue>:processing:<worker_id>
  KEYS[2]  <queue>:dead                     list of JSON envelopes:
                                            {mission_id, raw, error: {code, message, field?}, attempts,
                                             worker_id, failed_at}
  ARGV[1]  raw job text (exactly as claimed)
  ARGV[2]  the envelope (JSON text)

  Returns 1 when the job was dead-lettered, 0 when it was no longer in the processing list (its lease
  lapsed and another worker owns it now; that worker records its own outcome).
]]
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
if removed == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
end
return removed
