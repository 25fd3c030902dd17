-- 004: jobs that could not be attributed to a mission.
--
-- A job whose text is not JSON, is too large or too deep to read, or has no usable mission_id has no
-- missions row to record its failure on. Workers record it here (and dead-letter it in Redis as
-- before), so an operator can see every rejected job in PostgreSQL: `driftline queue rejected`.
--
-- raw_job: a sanitised copy of the job text (NUL and unpaired surrogates replaced by U+FFFD), cut to
--   16 KiB with a marker; raw_bytes is the size of the text as received (UTF-8 bytes).
-- mission_id_hint: what the job gave as mission_id when it was unusable (sanitised, at most 200
--   characters), or null.
-- The table keeps the newest 10 000 rows (insertRejectedJob prunes older ones): at most ~160 MB,
--   however fast a hostile producer pushes.
CREATE TABLE rejected_jobs (
  id              bigserial PRIMARY KEY,
  received_at     timestamptz NOT NULL DEFAULT now(),
  worker_id       text NOT NULL,
  error_code      text NOT NULL,
  error           text NOT NULL,
  field           text,
  mission_id_hint text,
  raw_bytes       integer NOT NULL CHECK (raw_bytes >= 0),
  raw_job         text NOT NULL
);
