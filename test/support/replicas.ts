import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Environment, loadConfigFile } from "../../src/config/index.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";

export interface InProcessReplicas {
  gateways: Gateway[];
  /** The config file they loaded, and its text as written. */
  file: string;
  text: string;
}

/**
 * `count` in-process gateways on one config file (written to `dir/tollgate.jsonc`; `${NAME}` read from `env`),
 * started one after the other so the first applies the migrations. The first can reload the file through the
 * admin API (`readConfigFile`) when `reloadable` is set.
 */
export async function startReplicas(options: {
  dir: string;
  config: unknown;
  env: Environment;
  count?: number;
  reloadable?: boolean;
}): Promise<InProcessReplicas> {
  const file = join(options.dir, "tollgate.jsonc");
  const text = JSON.stringify(options.config);
  await writeFile(file, text);
  const loaded = await loadConfigFile(file, options.env);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const gateways: Gateway[] = [];
  for (let index = 0; index < (options.count ?? 2); index++) {
    gateways.push(
      await startGateway({
        loaded,
        logger: createLogger({ level: "silent" }),
        env: options.env,
        cwd: options.dir,
        host: "127.0.0.1",
        port: 0,
        ...(index === 0 && options.reloadable
          ? { readConfigFile: () => loadConfigFile(file, options.env) }
          : {}),
      }),
    );
  }
  return { gateways, file, text };
}
