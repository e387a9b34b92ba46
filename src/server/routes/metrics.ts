import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Secret } from "../../config/index.js";
import { GatewayError } from "../../errors/index.js";
import type { GatewayMetrics } from "../../telemetry/metrics.js";
import { answerMetricsCollection, clusterMetrics, isClusterWorker } from "../../telemetry/metrics-cluster.js";

export interface MetricsRouteOptions {
  /** The exposition: this process's metrics, or (a worker of `serve --workers N`) every worker's summed. */
  exposition: () => Promise<{ text: string; contentType: string }>;
  /** `telemetry.metrics.token` of the running config (it may change on reload); absent: no token needed. */
  token: () => Secret | undefined;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Compared as digests: equal lengths for timingSafeEqual, and no early exit that times the token's prefix. */
function presented(header: string | undefined, token: string): boolean {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/** `GET /metrics`: Prometheus text. Not registered at all when metrics are off, so it answers 404 like any unknown path. */
export function registerMetricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  app.get("/metrics", async (request, reply) => {
    const token = options.token();
    if (token !== undefined && !presented(request.headers.authorization, token.reveal())) {
      throw new GatewayError(
        "unauthenticated",
        "metrics need the token of telemetry.metrics.token as Authorization: Bearer <token>",
      );
    }
    const { text, contentType } = await options.exposition();
    return reply.type(contentType).send(text);
  });
}

/**
 * What `/metrics` shows: this process's metrics; in a worker of `serve --workers N`, every worker's summed by the
 * primary (a scrape reaches one worker), or this worker's alone when the primary does not answer in time.
 */
export function metricsExposition(metrics: GatewayMetrics): MetricsRouteOptions["exposition"] {
  const own = async () => ({ text: await metrics.text(), contentType: metrics.contentType });
  if (!isClusterWorker()) return own;
  answerMetricsCollection(() => metrics.json());
  return async () => (await clusterMetrics()) ?? own();
}
