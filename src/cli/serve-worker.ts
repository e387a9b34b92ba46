import cluster from "node:cluster";
import { announceListening } from "../server/cluster-pool.js";
import { startGateway } from "../server/gateway.js";
import { describeSource } from "./config-source.js";
import { gatewayOptions, redactError, type ServeContext, serveLogger } from "./serve-context.js";
import { serveSignals } from "./serve-signals.js";
import { startupFacts } from "./startup-summary.js";

/**
 * One worker of `tollgate serve --workers N`: the gateway on the primary's shared port, with the one-time work
 * (migrations, the admin's bootstrap, the master key file) left to the primary, which did it before forking.
 * Its log lines carry its `worker` id; the primary announces the startup summary once for all. Whatever this
 * returns or throws, the process exits (`main.ts`): its channel to the primary would keep it alive.
 */
export async function serveWorker(context: ServeContext): Promise<number> {
  const worker = cluster.worker;
  if (!worker) throw new Error("serveWorker runs in a cluster worker only");
  const { io, source, loaded } = context;
  const logger = await serveLogger(context, { worker: worker.id });
  // Before the start: the primary may tell a worker that is still starting to drain.
  const signals = serveSignals(source, io, logger);
  const started = startGateway({
    ...gatewayOptions(context, logger),
    preparedByPrimary: true,
    onListening: (url, live) => {
      logger.info({ url, pid: process.pid }, "worker listening");
      announceListening(startupFacts(url, describeSource(source), loaded, io.cwd, live.credentials));
    },
  }).catch((error: unknown) => {
    throw redactError(error);
  });
  // Stopped while starting: nothing to drain, and a start that hangs (a store not answering) must not hold it.
  return Promise.race([started.then((gateway) => signals.attach(gateway)), signals.stoppedWhileStarting]);
}
