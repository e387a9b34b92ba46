import { formatProblem, type TollgateConfig } from "../config/index.js";
import { openStore, type Store } from "../store/index.js";
import {
  type ConfigSource,
  describeSource,
  describeStore,
  findConfig,
  loadFromSource,
} from "./config-source.js";
import { type CommandIO, exitCode } from "./io.js";

export interface CommandStore {
  source: ConfigSource;
  config: TollgateConfig;
  store: Store;
}

/**
 * What the commands that change state (`tokens`, `actors`) start with: the config found as `serve` finds it, and
 * its store opened and migrated. Says on standard error which config and store it uses; a config with errors or a
 * store that cannot be opened is an exit code (1) with the reason, never a stack trace.
 */
export async function openCommandStore(
  command: string,
  configFlag: string | undefined,
  io: CommandIO,
): Promise<CommandStore | number> {
  const source = await findConfig(configFlag, io.env, io.cwd);
  const loaded = await loadFromSource(source, io.env);
  if (!loaded.ok) {
    io.stderr(
      `${command}: the configuration in ${describeSource(source)} is invalid:\n${loaded.problems
        .filter((problem) => problem.severity === "error")
        .map((problem) => `  ${formatProblem(problem)}\n`)
        .join("")}`,
    );
    return exitCode.failed;
  }
  const config = loaded.config;
  const url = config.storage.url.reveal();
  io.stderr(`${command}: config ${describeSource(source)}; store ${describeStore(url, io.cwd)}\n`);
  try {
    const store = await openStore(url, { baseDir: io.cwd });
    await store.migrate();
    return { source, config, store };
  } catch (error) {
    io.stderr(
      `${command}: cannot open the store ${describeStore(url, io.cwd)}: ${(error as Error).message}\n`,
    );
    return exitCode.failed;
  }
}
