import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import { addTotals, type MetricJson } from "./metrics-cluster-totals.js";

/**
 * `/metrics` under `tollgate serve --workers N`: a scrape reaches whichever worker took the connection, so that
 * worker asks the primary, which collects the metrics of every worker that listens (as prom-client's JSON) and
 * aggregates them with prom-client's AggregatorRegistry (each metric's `aggregator`: counters and histograms
 * summed, `dependency_up` the minimum, queue depths and process limits the maximum, version and start-time
 * gauges the first). Answered once per scrape, within a deadline; a worker that does not answer in time counts
 * with its last answer, and an exited worker's counters and histograms stay in the sum.
 */

export type { MetricJson } from "./metrics-cluster-totals.js";

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

/**
 * In a worker: a message to the primary, dropped when the channel is closed. A worker draining may finish a
 * collection after its channel closed: `process.send` would then emit 'error' on process, and crash it.
 */
export function sendToPrimary(
  message: object,
  channel: Pick<NodeJS.Process, "connected" | "send"> = process,
): void {
  if (!channel.connected || !channel.send) return;
  channel.send(message, undefined, {}, () => {
    // An error here is a channel closed meanwhile: the primary is gone or this worker is leaving.
  });
}

/** In a worker: answers the primary's collection requests with this process's metrics. */
export function answerMetricsCollection(collect: () => Promise<MetricJson[]>): void {
  process.on("message", (message: unknown) => {
    if (!isMessage<Collect>(message, "tollgate:metrics-collect")) return;
    void collect().then(
      (metrics) =>
        sendToPrimary({ type: "tollgate:metrics-collected", id: message.id, metrics } satisfies Collected),
      () =>
        sendToPrimary({
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

/** In a worker: every worker's metrics aggregated, from the primary; undefined when it did not answer in time. */
export function clusterMetrics(): Promise<{ text: string; contentType: string } | undefined> {
  if (!listening) {
    listening = true;
    process.on("message", (message: unknown) => {
      if (!isMessage<Reply>(message, "tollgate:metrics-reply")) return;
      waiting.get(message.id)?.(message);
    });
  }
  if (!process.connected) return Promise.resolve(undefined);
  const id = ++nextId;
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), DEADLINE_MS + 500);
    const finish = (reply: Reply | undefined) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(reply && { text: reply.text, contentType: reply.contentType });
    };
    waiting.set(id, finish);
    sendToPrimary({ type: "tollgate:metrics-request", id } satisfies Request);
  });
}

/** Whether this process is a worker of `serve --workers N` (its primary aggregates metrics). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/**
 * In the primary: serves a worker's request by collecting from every worker that listens (one still starting
 * has no metrics to give, and would hold each scrape for the whole deadline) and aggregating.
 */
export class MetricsAggregator {
  private nextCollection = 0;
  private readonly collections = new Map<number, { pending: Set<number>; done: () => void }>();
  /** Each live worker's last answer, by worker id: reused when it misses a deadline. */
  private readonly snapshots = new Map<number, MetricJson[]>();
  /** The counters and histograms of workers that exited. */
  private retired: MetricJson[] = [];

  constructor(private readonly listeningWorkers: () => Iterable<Worker>) {}

  /** Feeds the aggregator a worker's message; true when it was one of its own. */
  handle(from: Worker, message: unknown): boolean {
    if (isMessage<Request>(message, "tollgate:metrics-request")) {
      void this.collect().then((reply) => {
        if (from.isConnected()) from.send({ ...reply, id: message.id } satisfies Reply, undefined, () => {});
      });
      return true;
    }
    if (isMessage<Collected>(message, "tollgate:metrics-collected")) {
      // A late answer is still the freshest; one arriving after the exit was already carried forward.
      if (!from.isDead()) this.snapshots.set(from.id, message.metrics);
      const collection = this.collections.get(message.id);
      if (collection?.pending.delete(from.id) && collection.pending.size === 0) collection.done();
      return true;
    }
    return false;
  }

  /** A worker exited: its counters and histograms stay in every later sum, its gauges go. */
  retire(worker: Worker): void {
    const snapshot = this.snapshots.get(worker.id);
    if (snapshot === undefined) return;
    this.snapshots.delete(worker.id);
    this.retired = addTotals(this.retired, snapshot);
  }

  private async collect(): Promise<Omit<Reply, "id">> {
    const id = ++this.nextCollection;
    const targets = [...this.listeningWorkers()].filter((worker) => worker.isConnected());
    await new Promise<void>((resolve) => {
      if (targets.length === 0) return resolve();
      const timer = setTimeout(resolve, DEADLINE_MS);
      const pending = new Set(targets.map((worker) => worker.id));
      this.collections.set(id, {
        pending,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const worker of targets) {
        // A worker that exits meanwhile cannot answer: it is no longer awaited.
        worker.send({ type: "tollgate:metrics-collect", id } satisfies Collect, undefined, (error) => {
          if (error && pending.delete(worker.id) && pending.size === 0) this.collections.get(id)?.done();
        });
      }
    });
    this.collections.delete(id);
    const parts = [...this.snapshots.values()];
    if (this.retired.length > 0) parts.push(this.retired);
    const registry = AggregatorRegistry.aggregate(parts);
    return {
      type: "tollgate:metrics-reply",
      text: await registry.metrics(),
      contentType: registry.contentType,
    };
  }
}
