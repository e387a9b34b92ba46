import { columnTypes, type Migration } from "./migration.js";

/**
 * Providers and models created through the admin API (issue 17), beside those of the config file: each row is
 * one entry of Cody's `providerOverrides` or `modelOverrides` as JSON, without secrets (a provider's central key
 * is in provider_keys, encrypted). `kind` is `provider` (id: the provider id) or `model` (id: the model ref).
 */
export const catalogueEntries: Migration = {
  id: 5,
  name: "catalogue-entries",
  sql: (kind) => `
CREATE TABLE catalogue_entries (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  body ${columnTypes(kind).json} NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (kind, id)
);
`,
};
