import { formatProblem } from "../config/index.js";
import { formatMigrationId, type MigrationResult, openStore, type StoreKind } from "../store/index.js";
import { describeSource, describeStore, findConfig, loadFromSource } from "./config-source.js";
import { type CommandIO, exitCode } from "./io.js";

/** DESIGN §8: the embedded default store, relative to the working directory. */
export const DEFAULT_STORAGE_URL = "sqlite:.tollgate/tollgate.db";

const USAGE = `Usage: tollgate migrate [--config FILE | --storage URL]

Apply pending database migrations. The gateway also applies them when it starts.

Options:
  --config FILE  the store of this config file (default: $TOLLGATE_CONFIG, else ./tollgate.jsonc)
  --storage URL  sqlite:PATH or postgres://user@host:5432/database[?schema=NAME]
                 (default: the config's store, else $TOLLGATE_STORAGE_URL, else ${DEFAULT_STORAGE_URL})
  -h, --help     show this help
`;

export interface MigrateStoreResult extends MigrationResult {
  readonly kind: StoreKind;
}

/** Opens the store at `url` (relative SQLite paths resolved against `baseDir`), migrates it, closes it. */
export async function migrateStore(url: string, baseDir: string): Promise<MigrateStoreResult> {
  const store = await openStore(url, { baseDir });
  try {
    return { kind: store.kind, ...(await store.migrate()) };
  } finally {
    await store.close();
  }
}

export async function runMigrate(args: string[], io: CommandIO): Promise<number> {
  let storage: string | undefined;
  let configFile: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--help" || arg === "-h") {
      io.stdout(USAGE);
      return exitCode.ok;
    }
    if (arg === "--config" || arg.startsWith("--config=")) {
      const value = arg === "--config" ? args[++index] : arg.slice("--config=".length);
      if (value === undefined || value === "") return usageError(io, "--config needs a file");
      configFile = value;
      continue;
    }
    if (arg === "--storage" || arg.startsWith("--storage=")) {
      const value = arg === "--storage" ? args[++index] : arg.slice("--storage=".length);
      if (value === undefined || value === "") return usageError(io, "--storage needs a URL");
      storage = value;
      continue;
    }
    return usageError(io, `unknown argument \`${arg}\``);
  }
  let fromConfig: string | undefined;
  if (storage === undefined) {
    const source = await findConfig(configFile, io.env, io.cwd);
    if (source.kind === "file") {
      const loaded = await loadFromSource(source, io.env);
      if (!loaded.ok) {
        io.stderr(
          `tollgate migrate: ${describeSource(source)} is invalid:\n${loaded.problems.map((p) => `  ${formatProblem(p)}\n`).join("")}`,
        );
        return exitCode.failed;
      }
      fromConfig = loaded.config.storage.url.reveal();
    }
    io.stderr(`tollgate migrate: config ${describeSource(source)}\n`);
  }
  const url = storage ?? fromConfig ?? nonEmpty(io.env.TOLLGATE_STORAGE_URL) ?? DEFAULT_STORAGE_URL;
  try {
    const result = await migrateStore(url, io.cwd);
    for (const migration of result.applied) {
      io.stdout(`applied ${formatMigrationId(migration.id)}-${migration.name}\n`);
    }
    const state = result.applied.length === 0 ? "already up to date" : "up to date";
    io.stdout(
      `${result.kind} store ${describeStore(url, io.cwd)} ${state} (version ${formatMigrationId(result.version)})\n`,
    );
    return exitCode.ok;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr(`tollgate migrate: ${redactSecrets(reason, url)}\n`);
    return exitCode.failed;
  }
}

function usageError(io: CommandIO, message: string): number {
  io.stderr(`tollgate migrate: ${message}\n\n${USAGE}`);
  return exitCode.usage;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Drivers may echo the connection string; make sure its password never reaches the terminal. */
function redactSecrets(message: string, url: string): string {
  const password = passwordOf(url);
  if (password === undefined) return message;
  return [password, safeDecode(password)].reduce((text, secret) => text.split(secret).join("***"), message);
}

function passwordOf(url: string): string | undefined {
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^/@:?#]*:(.*)@/i.exec(url)?.[1];
  // Too short a "password" would garble the message more than it protects.
  return password === undefined || password.length < 3 ? undefined : password;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
