-- 001: missions and their products.
-- Applied by `driftline migrate` inside one transaction, in the schema named by DATABASE_SCHEMA
-- (search_path), so names here are unqualified.

-- mission_id is text, not uuid: producers send UUIDs, but ids like "demo-utsira" are accepted too
-- (letters, digits and . _ : -, at most 128 characters; it becomes the S3 key prefix).
CREATE TABLE missions (
  id           text PRIMARY KEY,
  status       text NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
  -- The validated params with defaults filled in; for a job that failed validation, the params as sent.
  params       jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Attempts started (a worker claiming the mission counts one; a shutdown that returns it un-counts it).
  attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  worker_id    text,
  -- 0..1 over the whole mission, written about once a second while it runs.
  progress     real NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  -- Why it failed ("E_JOB_INVALID: params.latitude: ..."), or the last failed attempt while retrying.
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  -- When the mission reached a final state (completed or failed).
  completed_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz
);

-- `driftline missions --status S` lists the newest first.
CREATE INDEX missions_status_created_at_idx ON missions (status, created_at DESC);
CREATE INDEX missions_created_at_idx ON missions (created_at DESC);

-- One row per product; (mission_id, kind) is the key, so a retried mission overwrites its rows just
-- as it overwrites its fixed S3 keys.
CREATE TABLE mission_results (
  mission_id   text NOT NULL REFERENCES missions (id) ON DELETE CASCADE,
  kind         text NOT NULL,
  uri          text NOT NULL,
  bytes        bigint NOT NULL CHECK (bytes >= 0),
  content_type text NOT NULL,
  sha256       char(64) NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mission_id, kind)
);
