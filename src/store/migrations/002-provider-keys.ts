import type { Migration } from "./migration.js";

export const providerKeys: Migration = {
  id: 2,
  name: "provider-keys",
  sql: () => `
-- actor_id '' is the provider's central key: actor ids are never empty, and a NULL could not be in the key.
-- No foreign key to actors: external actors live outside the store; their keys go when they are deleted.
CREATE TABLE provider_keys (
  actor_id TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  ciphertext TEXT NOT NULL,
  hint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (actor_id, provider_id)
);
`,
};
