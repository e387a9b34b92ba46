import { type Environment, loadConfigFile } from "../../src/config/index.js";
import { type Gateway, type GatewayOptions, startGateway } from "../../src/server/gateway.js";
import { createLogger, type Logger } from "../../src/telemetry/logger.js";

export interface TestGatewayOptions extends Pick<GatewayOptions, "onOutcome" | "onGeneratedAdminToken"> {
  /** The config file, loaded as `tollgate serve` would. */
  file: string;
  /** The gateway's working directory: relative storage paths resolve against it. */
  dir: string;
  /** What `${NAME}` references in the config read (never the test process's own environment). */
  configEnv?: Environment;
  /** The gateway's own environment (TOLLGATE_ADMIN_TOKEN, OTEL_*). */
  env?: NodeJS.ProcessEnv;
  /** Silent unless the test reads the logs. */
  logger?: Logger;
}

/** An in-process gateway on 127.0.0.1, on a free port, from a config file; a config with problems throws them. */
export async function startTestGateway(options: TestGatewayOptions): Promise<Gateway> {
  const {
    file,
    dir,
    configEnv = {},
    env = {},
    logger = createLogger({ level: "silent" }),
    ...hooks
  } = options;
  const loaded = await loadConfigFile(file, configEnv);
  if (!loaded.ok) throw new Error(`test config ${file} invalid: ${JSON.stringify(loaded.problems)}`);
  return startGateway({ loaded, logger, env, cwd: dir, host: "127.0.0.1", port: 0, ...hooks });
}
