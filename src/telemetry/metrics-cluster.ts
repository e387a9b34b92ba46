import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

/**
 * `/metrics` under `tollgate serve --workers N`: a scrape reaches whichever worker took the connection, so that
 * worker asks the primary, which collects every worker's metrics (as prom-client's JSON) and sums them with
 * prom-client's AggregatorRegistry (each metric's `aggregator`: counters and histograms summed, `dependency_up`
 * the minimum, version and start-time gauges the first). Answered once per scrape, within a deadline; a worker
 * that does not answer in time is left out of that scrape.
 */

/** One metric as prom-client's `getMetricsAsJSON` gives it. */
export type MetricJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>[number];

interface Request {
  type: "tollgate:metrics-request";
  id: number;
}
interface Collect {
  type: "tollgate:metrics-collect";
  id: number;
}
interface Collected {
  type: "tollgate:metrics-collected";
  id: number;
  metrics: MetricJson[];
}
interface Reply {
  type: "tollgate:metrics-reply";
  id: number;
  text: string;
  contentType: string;
}

const DEADLINE_MS = 2_000;

function isMessage<T extends { type: string }>(message: unknown, type: T["type"]): message is T {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;
}

/** In a worker: answers the primary's collection requests with this process's metrics. */
export function answerMetricsCollection(collect: () => Promise<MetricJson[]>): void {
  process.on("message", (message: unknown) => {
    if (!isMessage<Collect>(message, "tollgate:metrics-collect")) return;
    void collect().then(
      (metrics) =>
        process.send?.({ type: "tollgate:metrics-collected", id: message.id, metrics } satisfies Collected),
      () =>
        process.send?.({
          type: "tollgate:metrics-collected",
          id: message.id,
          metrics: [],
        } satisfies Collected),
    );
  });
}

let nextId = 0;
const waiting = new Map<number, (reply: Reply | undefined) => void>();
let listening = false;

/** In a worker: every worker's metrics summed, from the primary; undefined when it did not answer in time. */
export function clusterMetrics(): Promise<{ text: string; contentType: string } | undefined> {
  if (!listening) {
    listening = true;
    process.on("message", (message: unknown) => {
      if (!isMessage<Reply>(message, "tollgate:metrics-reply")) return;
      waiting.get(message.id)?.(message);
    });
  }
  const id = ++nextId;
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), DEADLINE_MS + 500);
    const finish = (reply: Reply | undefined) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(reply && { text: reply.text, contentType: reply.contentType });
    };
    waiting.set(id, finish);
    process.send?.({ type: "tollgate:metrics-request", id } satisfies Request);
  });
}

/** Whether this process is a worker of `serve --workers N` (its primary aggregates metrics). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** In the primary: serves a worker's request by collecting from every worker and summing. */
export class MetricsAggregator {
  private nextCollection = 0;
  private readonly collections = new Map<
    number,
    { parts: MetricJson[][]; expected: number; done: () => void }
  >();

  constructor(private readonly workers: () => Iterable<Worker>) {}

  /** Feeds the aggregator a worker's message; true when it was one of its own. */
  handle(from: Worker, message: unknown): boolean {
    if (isMessage<Request>(message, "tollgate:metrics-request")) {
      void this.collect().then((reply) => {
        if (from.isConnected()) from.send({ ...reply, id: message.id } satisfies Reply);
      });
      return true;
    }
    if (isMessage<Collected>(message, "tollgate:metrics-collected")) {
      const collection = this.collections.get(message.id);
      if (collection) {
        collection.parts.push(message.metrics);
        if (collection.parts.length >= collection.expected) collection.done();
      }
      return true;
    }
    return false;
  }

  private async collect(): Promise<Omit<Reply, "id">> {
    const id = ++this.nextCollection;
    const targets = [...this.workers()].filter((worker) => worker.isConnected());
    const parts: MetricJson[][] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DEADLINE_MS);
      this.collections.set(id, {
        parts,
        expected: targets.length,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const worker of targets) worker.send({ type: "tollgate:metrics-collect", id } satisfies Collect);
      if (targets.length === 0) resolve();
    });
    this.collections.delete(id);
    const registry = AggregatorRegistry.aggregate(parts);
    return {
      type: "tollgate:metrics-reply",
      text: await registry.metrics(),
      contentType: registry.contentType,
    };
  }
}
