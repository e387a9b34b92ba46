import { columnTypes, type Migration } from "./migration.js";

export const initial: Migration = {
  id: 1,
  name: "initial",
  sql(kind) {
    const { json, autoId } = columnTypes(kind);
    return `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value ${json} NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE actors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'readonly', 'user')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  allowed_models ${json},
  limits ${json},
  budget ${json},
  source TEXT NOT NULL CHECK (source IN ('config', 'database', 'external')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  actor_id TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_hint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX tokens_actor_id ON tokens (actor_id);
CREATE INDEX tokens_expires_at ON tokens (expires_at);

-- No foreign key on actor_id: the audit trail outlives the actors it mentions.
CREATE TABLE audit_log (
  id ${autoId},
  at BIGINT NOT NULL,
  actor_id TEXT,
  action TEXT NOT NULL,
  target TEXT,
  details ${json}
);
CREATE INDEX audit_log_actor_id ON audit_log (actor_id, id);
`;
  },
};
