import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { formatProblem } from "../config/index.js";
import {
  type LoadedMasterKeys,
  loadMasterKeys,
  MasterKeyError,
  masterKeyId,
} from "../credentials/master-key.js";
import { type RotationResult, rotateMasterKey } from "../credentials/rotate-secrets.js";
import { openStore, type Store } from "../store/index.js";
import { describeSource, describeStore, findConfig, loadFromSource } from "./config-source.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const help = `Usage: tollgate secrets <rotate|generate-key> [options]

The master key encrypts the provider keys kept in the store. It is secrets.masterKey or secrets.masterKeyFile,
else $TOLLGATE_MASTER_KEY, else (SQLite) master.key beside the database, generated on first start.

  tollgate secrets rotate [--json]
      Re-encrypts every stored provider key in one transaction; nothing changes when one does not open
      (the error names its key id).
      Generated master.key: a new key replaces it and the old one is kept in master.key.previous; a
      gateway running on the store reads the new key when it reloads the stored keys (within a second).
      Configured key: the keys sealed with secrets.previousKeys are sealed with secrets.masterKey; replicas
      that already hold both keys reload the stored keys by themselves.
  tollgate secrets generate-key [--json]
      Prints a new master key (32 random bytes, base64).

Options:
  -c, --config FILE  the gateway's config file (default: $TOLLGATE_CONFIG, else ./tollgate.jsonc, else the
                     embedded default store .tollgate/tollgate.db)
      --json         machine-readable output
  -h, --help         show this help
`;

/** Printed after rotating onto a configured key: the steps around the command, for every replica. */
const ROLLOUT = `To rotate a configured master key:
  1. On every replica, set the new key as secrets.masterKey (or TOLLGATE_MASTER_KEY) and the old one in
     secrets.previousKeys; restart them.
  2. Run \`tollgate secrets rotate\` once: the stored keys are sealed with the new key.
  3. Remove the old key from secrets.previousKeys and restart the replicas.
`;

export async function runSecrets(args: string[], io: CommandIO): Promise<number> {
  let parsed: {
    values: { config?: string | undefined; json?: boolean | undefined; help?: boolean | undefined };
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: "string", short: "c" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [subcommand, ...rest] = positionals;
  if (values.help || subcommand === undefined) {
    io.stdout(help);
    return values.help ? exitCode.ok : exitCode.usage;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument \`${rest[0]}\``);
  const json = values.json === true;
  if (subcommand === "generate-key") {
    if (values.config !== undefined) throw new UsageError("`secrets generate-key` does not take --config");
    return generateKey(io, json);
  }
  if (subcommand !== "rotate") {
    throw new UsageError(`unknown subcommand \`${subcommand}\`; expected rotate or generate-key`);
  }
  return rotate(io, values.config, json);
}

function generateKey(io: CommandIO, json: boolean): number {
  const key = randomBytes(32);
  const text = key.toString("base64");
  io.stdout(json ? `${JSON.stringify({ key: text, keyId: masterKeyId(key) })}\n` : `${text}\n`);
  return exitCode.ok;
}

async function rotate(io: CommandIO, configFile: string | undefined, json: boolean): Promise<number> {
  const fail = (message: string) => {
    io.stderr(`tollgate secrets rotate: ${message}\n`);
    return exitCode.failed;
  };
  const source = await findConfig(configFile, io.env, io.cwd);
  const loaded = await loadFromSource(source, io.env);
  if (!loaded.ok) {
    const problems = loaded.problems.filter((problem) => problem.severity === "error");
    return fail(
      `the configuration in ${describeSource(source)} is invalid:\n${problems.map((problem) => `  ${formatProblem(problem)}\n`).join("")}`,
    );
  }
  const { config } = loaded;
  const url = config.storage.url.reveal();
  let keys: LoadedMasterKeys;
  try {
    keys = await loadMasterKeys({ secrets: config.secrets, env: io.env, storageUrl: url, baseDir: io.cwd });
  } catch (error) {
    if (error instanceof MasterKeyError) return fail(error.message);
    throw error;
  }
  const keySource = keys.keyFile ?? keys.source ?? "none configured";
  io.stderr(
    `tollgate secrets: config ${describeSource(source)}; store ${describeStore(url, io.cwd)}; master key ${keySource}\n`,
  );
  for (const warning of keys.warnings) io.stderr(`tollgate secrets: warning: ${warning}\n`);
  let store: Store;
  try {
    store = await openStore(url, { baseDir: io.cwd });
    await store.migrate();
  } catch (error) {
    return fail(`cannot open the store ${describeStore(url, io.cwd)}: ${(error as Error).message}`);
  }
  let result: RotationResult;
  try {
    result = await rotateMasterKey(store, keys);
  } catch (error) {
    if (error instanceof MasterKeyError) return fail(`nothing was changed: ${error.message}`);
    throw error;
  } finally {
    await store.close();
  }
  io.stdout(json ? `${JSON.stringify(result)}\n` : describeRotation(result));
  return exitCode.ok;
}

function describeRotation(result: RotationResult): string {
  const moved = Object.entries(result.from).map(([keyId, count]) => `${count} from key id ${keyId}`);
  const counts =
    `Re-sealed ${result.resealed} of ${result.secrets} stored secret(s) with master key id ${result.keyId}` +
    (moved.length > 0 ? ` (${moved.join(", ")}).\n` : ".\n");
  if (result.mode === "configured") return `${counts}\n${ROLLOUT}`;
  return (
    `${counts}${result.keyFile} now holds the new key; the old one is kept in ${result.previousKeyFile}.\n` +
    `Back up ${result.keyFile}. A gateway running on this store reads the new key within a second.\n`
  );
}
