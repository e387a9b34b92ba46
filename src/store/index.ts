export { isStoreError, StoreError, type StoreErrorCode } from "./errors.js";
export { formatId as formatMigrationId } from "./migrate.js";
export { type Migration, migrations } from "./migrations/index.js";
export { type OpenStoreOptions, openStore } from "./open-store.js";
export type * from "./store.js";
export { parseStorageUrl, redactUrl, type StorageTarget } from "./url.js";
