--[[
  `driftline retry <mission_id>`: take the oldest dead letter of a mission and push its raw job to the
  TAIL of the queue (a retry waits its turn like a new job).

  KEYS[1]  <queue>:dead
  KEYS[2]  <queue>

  ARGV[1]  mission id

  Returns the raw job text that was queued, or false when no dead letter has that mission id.
  O(length of the dead-letter list): an operator command, not a hot path.
]]
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
for _, entry in ipairs(entries) do
  local ok, envelope = pcall(cjson.decode, entry)
  if ok and type(envelope) == 'table' and envelope.mission_id == ARGV[1] and type(envelope.raw) == 'string' then
    redis.call('LREM', KEYS[1], 1, entry)
    redis.call('RPUSH', KEYS[2], envelope.raw)
    return envelope.raw
  end
end
return false
