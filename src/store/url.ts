import { isAbsolute, resolve } from "node:path";
import { StoreError } from "./errors.js";

export type StorageTarget =
  | { kind: "sqlite" /** Absolute file path, or `:memory:`. */; path: string }
  | {
      kind: "postgres";
      /** The URL handed to `pg`, without Tollgate's own query parameters. */
      connectionString: string;
      /** Schema to create and put on `search_path`, from `?schema=`. */
      schema: string | undefined;
    };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parses `storage.url`: `sqlite:PATH` (relative to `baseDir`), `sqlite::memory:`, or
 * `postgres://user:password@host:port/database?schema=name` (`postgresql://` too).
 */
export function parseStorageUrl(url: string, baseDir: string = process.cwd()): StorageTarget {
  const trimmed = url.trim();
  if (trimmed === "") {
    throw invalid(url, "it is empty; use sqlite:PATH or postgres://user@host:5432/database");
  }
  if (trimmed.startsWith("sqlite:")) {
    let path = trimmed.slice("sqlite:".length);
    // Accept the URL-looking form `sqlite:///abs/path.db` as well as `sqlite:relative/path.db`.
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw invalid(url, "the SQLite file path is missing, e.g. sqlite:.tollgate/tollgate.db");
    if (path === ":memory:") return { kind: "sqlite", path };
    return { kind: "sqlite", path: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  if (trimmed.startsWith("postgres://") || trimmed.startsWith("postgresql://")) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw invalid(url, "it is not a valid URL (percent-encode special characters in the password)");
    }
    if (parsed.hostname === "" && !parsed.searchParams.has("host")) {
      throw invalid(url, "the Postgres host is missing, e.g. postgres://user@127.0.0.1:5432/tollgate");
    }
    const schema = parsed.searchParams.get("schema") ?? undefined;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw invalid(
        url,
        `schema "${schema}" must be lower-case letters, digits and underscores, starting with a letter or underscore`,
      );
    }
    parsed.searchParams.delete("schema");
    return { kind: "postgres", connectionString: parsed.toString(), schema };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  throw invalid(
    url,
    scheme === undefined
      ? "it has no scheme; use sqlite:PATH or postgres://user@host:5432/database"
      : `"${scheme}:" is not supported; use sqlite:PATH or postgres://user@host:5432/database`,
  );
}

/**
 * The URL with any password replaced, safe for logs and error messages. Works on the raw text rather than
 * a parsed URL: an unencoded `@`, `/` or `?` in a password makes URL parsers split it elsewhere and leak
 * part of it. Everything from `//user:` to the last `@` goes, so an `@` later in the URL over-redacts.
 */
export function redactUrl(url: string): string {
  return (
    url
      .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:?#]*:).*@/i, "$1***@")
      // libpq also takes the password (and a client key's passphrase) as query parameters.
      .replace(/([?&])(password|sslpassword)=[^&#]*/gi, "$1$2=***")
  );
}

function invalid(url: string, reason: string): StoreError {
  return new StoreError("invalid-url", `storage.url "${redactUrl(url)}" is invalid: ${reason}`);
}
