-- 002: what a run reports besides its files, and a machine-readable error code.
ALTER TABLE missions
  ADD COLUMN error_code     text,
  -- Non-fatal problems, e.g. "FALLBACK FORCING: ..." or "animation skipped: no ffmpeg".
  ADD COLUMN warnings       jsonb,
  -- Milliseconds per stage: {"forcing": 12, "simulation": 3400, ...}.
  ADD COLUMN timings_ms     jsonb,
  ADD COLUMN particle_steps bigint;
