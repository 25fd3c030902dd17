-- 003: fencing tokens, cancellation, and the raw job kept for operators.
--
-- claim_token: the token of the attempt that holds the mission ("<attempts>:<worker_id>"). Every
--   write a worker makes about a running mission (progress, completion, failure, hand-back) carries
--   its token and changes nothing when the row holds another one: a worker that stalled past its
--   lease and woke up again cannot overwrite the attempt that replaced it.
-- cancelled: a final state, like completed and failed, set by `POST /missions/:id/cancel` (queued
--   missions at once; running ones by their worker, which stops within about a second).
-- raw_job: a sanitised copy of the job text as it was received, kept for jobs that failed, so an
--   operator can read it and retry it even when the job never validated.
ALTER TABLE missions DROP CONSTRAINT IF EXISTS missions_status_check;
ALTER TABLE missions ADD CONSTRAINT missions_status_check
  CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled'));
ALTER TABLE missions
  ADD COLUMN claim_token         text,
  ADD COLUMN cancel_requested_at timestamptz,
  ADD COLUMN raw_job             text;
