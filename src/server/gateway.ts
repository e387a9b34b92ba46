import type { FastifyInstance } from "fastify";
import { registerAdminApi } from "../admin/admin-api.js";
import { LiveCatalogue } from "../admin/live-catalogue.js";
import { ActorDirectory } from "../auth/actor-directory.js";
import type { LoadedConfig, LoadResult, ResolvedProvider } from "../config/index.js";
import { CredentialResolver } from "../credentials/credential-resolver.js";
import { KeyDirectory } from "../credentials/key-directory.js";
import { loadMasterKeys } from "../credentials/master-key.js";
import { createAdmission } from "../limits/admission.js";
import { limiterRedisOptions, MemoryLimiter, RedisLimiter } from "../limits/index.js";
import type { Limiter } from "../limits/limiter.js";
import { createNotifier, type Notifier } from "../notifications/notifier.js";
import type { RequestOutcome } from "../proxy/proxy-deps.js";
import { createRedisClient, type RedisClient } from "../redis/redis-client.js";
import { redisTarget } from "../redis/redis-url.js";
import type { Store } from "../store/index.js";
import { GatewayMetrics } from "../telemetry/metrics.js";
import { createTracing } from "../telemetry/tracing-setup.js";
import { toUsageEvent } from "../usage/usage-event.js";
import { UsageRecorder } from "../usage/usage-recorder.js";
import { startUsageRetention } from "../usage/usage-retention.js";
import { buildApp } from "./app.js";
import { registerConsole } from "./console.js";
import { type PrepareOptions, prepareGateway } from "./gateway-prepare.js";
import { buildModelListing } from "./model-listing.js";
import { restartOnlyChanges } from "./restart-only-changes.js";
import { registerCodyEmbeddingsModelsRoute } from "./routes/cody-embeddings-models.js";
import { registerLimitsRoute } from "./routes/limits.js";
import { registerMeKeysRoutes } from "./routes/me-keys.js";
import { metricsExposition, registerMetricsRoute } from "./routes/metrics.js";
import type { ModelListing } from "./routes/models.js";
import { registerUsageRoutes } from "./routes/usage.js";
import { securityOptions } from "./security-options.js";
import { gatewayUpstream } from "./upstream-wiring.js";

export interface GatewayOptions extends PrepareOptions {
  /** Override `server.host` / `server.port` (the command line's `--host`, `--port`). */
  host?: string;
  port?: number;
  /** Sees every client API request's outcome, refused ones included (tests, and the usage pipeline when it lands). */
  onOutcome?: (outcome: RequestOutcome) => void;
  /** Reads the config file again (the admin API's reload); absent on the embedded default. */
  readConfigFile?: () => Promise<LoadResult>;
  /** Announces the listening gateway (the command's startup summary); without it, one log line. */
  onListening?: (url: string, live: { credentials: CredentialResolver }) => void;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly directory: ActorDirectory;
  readonly limiter: Limiter;
  /** Usage events on their way to the store: `depth` waiting, `dropped` when it could not keep up. */
  readonly usage: UsageRecorder;
  /** Quota notifications: their dead letters (tests, diagnostics). */
  readonly notifier: Notifier;
  /** `http://host:port` the gateway listens on. */
  readonly url: string;
  /** Swaps in a new configuration (SIGHUP); settings that need a restart are logged as such. */
  reload(loaded: LoadedConfig): Promise<void>;
  /** Stops accepting, lets requests in flight finish (up to `server.shutdownTimeout`), closes everything. */
  close(): Promise<void>;
}

/** Undoes what start set up so far, in reverse order, when a later step fails. */
class Teardown {
  private readonly steps: (() => Promise<unknown>)[] = [];
  add(step: () => Promise<unknown>): void {
    this.steps.unshift(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps) await step().catch(() => {});
  }
}

/** While draining, how often keep-alive connections that went idle are closed. */
const IDLE_SWEEP_MS = 100;

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const sink = (name: string, feed: () => void) => {
    try {
      feed();
    } catch (error) {
      logger.error({ err: error, sink: name }, "a request's outcome could not be recorded");
    }
  };
  let loaded = options.loaded;
  const teardown = new Teardown();
  try {
    const { store, masterKeys, masterKeyOptions } = await prepareGateway(options);
    teardown.add(() => store.close());

    // Closed after the server (its last requests' events are queued) and before the store (it writes them).
    const usageConfig = loaded.config.usage;
    const usage = new UsageRecorder({
      sink: store.usageEvents,
      logger,
      queueSize: usageConfig.queueSize,
      // A store that writes on the gateway's own thread (`sqlite::memory:`) takes small batches, with requests
      // served between them. A SQLite file writes on its own thread: whole batches there cost a fraction of the
      // CPU per event of 64-row ones (fewer commits, each rewriting the same last pages of five indexes).
      batchSize: Math.min(usageConfig.batchSize, store.usageEvents.batchLimit ?? Number.POSITIVE_INFINITY),
      flushIntervalMs: usageConfig.flushInterval,
    });
    teardown.add(() => usage.close());
    // A retention of 0 keeps events for ever.
    if (usageConfig.retention > 0) {
      const retention = startUsageRetention({
        repository: store.usageEvents,
        logger,
        retentionMs: usageConfig.retention,
      });
      teardown.add(async () => retention.stop());
    }

    const metricsConfig = loaded.config.telemetry.metrics;
    // Off: no route and nothing collected (enabled and actorLabels take effect on restart).
    const metrics = metricsConfig.enabled
      ? new GatewayMetrics({ catalogue: () => loaded.catalogue, actorLabels: metricsConfig.actorLabels })
      : undefined;
    if (metrics && metricsConfig.actorLabels && !metricsConfig.token) {
      logger.warn(
        "telemetry.metrics.actorLabels is on and /metrics needs no token: every actor's id and spend is public; set telemetry.metrics.token",
      );
    }
    metrics?.gauge(
      "usage_queue_depth",
      "Usage events waiting to be written, or being written.",
      // Each worker has its own queue of usage.queueSize: the alert's threshold is per process.
      "max",
      () => usage.depth,
    );
    metrics?.counter(
      "usage_events_dropped_total",
      "Usage events dropped because the queue was full (usage.queueSize).",
      () => usage.dropped,
    );

    const redisConfig = loaded.config.redis;
    let redis: RedisClient | undefined;
    let limiter: Limiter;
    if (redisConfig) {
      const client = createRedisClient(redisTarget(redisConfig.url.reveal()), limiterRedisOptions());
      // Failures surface through the limiter and directory (rate-limited logs, fail open/closed).
      client.on("error", () => {});
      redis = client;
      teardown.add(async () => client.disconnect());
      const redisLimiter = new RedisLimiter({
        client,
        keyPrefix: redisConfig.keyPrefix,
        failMode: loaded.config.limits.failMode ?? redisConfig.failMode,
        leaseMs: loaded.config.limits.concurrencyLease,
        logger,
        ...(metrics ? { metrics } : {}),
      });
      await redisLimiter.ready();
      limiter = redisLimiter;
    } else {
      limiter = new MemoryLimiter({ leaseMs: loaded.config.limits.concurrencyLease });
    }
    teardown.add(() => limiter.close());

    const directory = new ActorDirectory({
      store,
      actors: loaded.config.actors,
      ...(redis && redisConfig ? { redis: { client: redis, keyPrefix: redisConfig.keyPrefix } } : {}),
      logger,
    });
    const keys = new KeyDirectory({
      store,
      ring: masterKeys.ring,
      // A rotation of the generated key file writes a new key while replicas run; configured keys change on restart.
      ...(masterKeys.source === "key-file"
        ? { reloadRing: async () => (await loadMasterKeys(masterKeyOptions)).ring }
        : {}),
      changed: () => directory.changed(),
      logger,
    });
    // Provider keys follow the tokens' change bus and revision: every replica reloads them within a second.
    directory.follow(() => keys.load());
    const credentials = new CredentialResolver(keys, options.env);
    const usable = (actorId: string | undefined, provider: ResolvedProvider) =>
      credentials.usable(actorId, provider);
    let models: ModelListing = buildModelListing(loaded.catalogue, usable);
    // Providers, models and defaults made through the admin API, on the same change bus.
    const live = new LiveCatalogue({
      store,
      env: options.env,
      logger,
      file: loaded,
      onChange: (next) => {
        loaded = next;
        models = buildModelListing(next.catalogue, usable);
      },
    });
    directory.follow(() => live.load());
    await directory.start();
    teardown.add(() => directory.close());

    const upstream = gatewayUpstream({ config: () => loaded.config, logger, metrics });
    teardown.add(() => upstream.destroy());
    // Flushed after the server has closed, so the last requests' spans go out too.
    const tracing = await createTracing({
      settings: loaded.config.telemetry.tracing,
      env: options.env,
      providerType: (id) => loaded.catalogue.provider(id)?.type,
    });
    teardown.add(() => tracing.shutdown());

    const limitsDefaults = () => loaded.config.limits.defaults;
    const timeZone = () => loaded.config.limits.timeZone;
    const notifier = createNotifier({
      limiter,
      redis: redis && redisConfig ? { client: redis, keyPrefix: redisConfig.keyPrefix } : undefined,
      settings: () => loaded.config.usage.notifications,
      findActor: (id) => directory.findActor(id),
      defaults: limitsDefaults,
      timeZone,
      logger,
    });
    teardown.add(() => notifier.close());
    const server = loaded.config.server;
    const readiness = [
      { name: "store", check: () => store.ping() },
      ...(redis
        ? [
            {
              name: "redis",
              check: async () => void (await redis.ping()),
              // With failMode open the gateway serves on while Redis is away; with closed it refuses all.
              required: () => (loaded.config.limits.failMode ?? loaded.config.redis?.failMode) === "closed",
            },
          ]
        : []),
    ];
    metrics?.dependencies(readiness);
    let selfUrl = "";
    /** A new config file (SIGHUP, the admin API's reload): the store first, as it may fail; then the rest. */
    const reload = async (next: LoadedConfig): Promise<void> => {
      // First, as it may fail (the store unreachable): then nothing has changed and the old config serves on.
      await directory.reload(next.config.actors);
      for (const path of restartOnlyChanges(loaded.config, next.config)) {
        logger.warn({ path }, `\`${path}\` changed; it takes effect on restart`);
      }
      const limits = next.config.limits;
      limiter.reconfigure({
        leaseMs: limits.concurrencyLease,
        failMode: limits.failMode ?? next.config.redis?.failMode,
      });
      // With the stored providers and models resolved into the new file's catalogue (sets `loaded`).
      live.setFile(next);
      logger.info({ models: loaded.catalogue.models.length }, "configuration reloaded");
    };
    const reloadFromFile = (read: () => Promise<LoadResult>) => async (): Promise<LoadResult> => {
      const result = await read();
      if (result.ok) await reload(result);
      return result;
    };
    const app = await buildApp({
      logger,
      bodyLimit: server.bodyLimit,
      trustProxy: server.trustProxy,
      ...securityOptions(server, metrics),
      tracing,
      authenticator: () => directory,
      models: () => models,
      readiness,
      proxy: {
        catalogue: () => loaded.catalogue,
        credentials,
        upstream,
        ...(metrics ? { observer: metrics } : {}),
        admit: createAdmission({
          limiter,
          defaults: limitsDefaults,
          timeZone,
          ...(metrics
            ? {
                onRefused: (limit, context) =>
                  metrics.refused(limit, context.feature, context.principal?.actorId),
              }
            : {}),
        }),
      },
      onOutcome: (outcome) => {
        // The whole outcome at debug level, beside the access line every request gets.
        if (logger.isLevelEnabled("debug")) logger.debug({ outcome }, "proxied");
        // Each sink on its own: one that throws must not cost the others their record of the request.
        sink("metrics", () => metrics?.observe(outcome));
        sink("notifications", () => notifier.observe(outcome));
        sink("usage", () => usage.record(toUsageEvent(outcome)));
        options.onOutcome?.(outcome);
      },
      extraRoutes: (instance, { authenticate }) => {
        registerLimitsRoute(instance, { authenticate, limiter, defaults: limitsDefaults, timeZone });
        if (metrics) {
          registerMetricsRoute(instance, {
            exposition: metricsExposition(metrics),
            token: () => loaded.config.telemetry.metrics.token,
          });
        }
        registerUsageRoutes(instance, { usage: store.usageEvents, authenticate });
        const catalogue = () => loaded.catalogue;
        registerCodyEmbeddingsModelsRoute(instance, { authenticate, catalogue });
        registerMeKeysRoutes(instance, {
          authenticate,
          catalogue,
          keys,
          resolver: credentials,
          env: options.env,
        });
        registerAdminApi(instance, {
          authenticate,
          store,
          directory,
          usage: store.usageEvents,
          live,
          keys,
          resolver: credentials,
          env: options.env,
          catalogue,
          credentials,
          limiter,
          defaults: limitsDefaults,
          timeZone,
          findActor: (id) => directory.findActor(id),
          selfUrl: () => selfUrl,
          ...(options.readConfigFile ? { reloadFile: reloadFromFile(options.readConfigFile) } : {}),
        });
        registerConsole(instance);
      },
    });
    teardown.add(() => app.close());
    const url = await app.listen({ host: options.host ?? server.host, port: options.port ?? server.port });
    selfUrl = loopbackUrl(url);
    if (options.onListening) options.onListening(url, { credentials });
    else {
      logger.info(
        { url, models: loaded.catalogue.models.length, limits: redis ? "redis" : "memory" },
        "tollgate listening",
      );
    }

    let closing: Promise<void> | undefined;
    return {
      app,
      store,
      directory,
      limiter,
      usage,
      notifier,
      url,
      reload,
      close() {
        closing ??= (async () => {
          const timer = setTimeout(() => {
            logger.warn("shutdown timeout reached; closing the remaining connections");
            app.server.closeAllConnections();
          }, server.shutdownTimeout);
          timer.unref();
          // server.close() ends only the keep-alive connections idle when it is called; one whose last stream
          // ends later would hold the process until its keep-alive timeout. Close each as it goes idle.
          const sweeper = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
          sweeper.unref();
          try {
            await app.close();
          } finally {
            clearTimeout(timer);
            clearInterval(sweeper);
            await teardown.run();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** The gateway's own URL for requests it sends itself (the latency test): a wildcard address becomes loopback. */
function loopbackUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === "0.0.0.0") parsed.hostname = "127.0.0.1";
  else if (parsed.hostname === "[::]") parsed.hostname = "[::1]";
  return parsed.origin;
}
