export type StoreErrorCode =
  /** `storage.url` is malformed or names an unsupported database. */
  | "invalid-url"
  /** A row with the same key (actor id, token hash, ...) already exists. */
  | "conflict"
  /** A row refers to one that does not exist (a token for an unknown actor). */
  | "missing-reference"
  /** The database was migrated by a newer Tollgate than this one. */
  | "newer-schema"
  /** A migration failed to apply. */
  | "migration-failed"
  /** The store was used after `close()`. */
  | "closed";

export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
