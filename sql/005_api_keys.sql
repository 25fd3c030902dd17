-- 005: API keys for the HTTP API (`driftline serve`), managed with `driftline apikey create|list|revoke`.
--
-- A key is "dlk_<id>_<secret>": <id> is 8 hex characters shown by `apikey list` and used to revoke it;
-- <secret> is 32 random bytes (256 bits). Only sha256(key) is stored. A fast unsalted hash is enough
-- here because the key is random, not chosen by a person: guessing one among 2^256 is hopeless at any
-- hashing speed, so a slow password hash (bcrypt, scrypt) would buy nothing and cost milliseconds per
-- request; sha256 lets the server find a key by an indexed equality lookup in one query.
CREATE TABLE api_keys (
  id           text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{8}$'),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  key_sha256   char(64) NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Set once by `apikey revoke`; a revoked key is refused within API key cache time (1 s).
  revoked_at   timestamptz
);
