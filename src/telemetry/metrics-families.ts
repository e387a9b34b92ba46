import type { Metric, Registry } from "prom-client";

type Labels = Readonly<Record<string, string>>;

interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

/** One counter series: adding to it is one addition. */
export interface CounterCell {
  readonly labels: Labels;
  value: number;
}

/** One histogram series: a count per bucket (not cumulative; summed when scraped), the sum and the count. */
export interface HistogramCell {
  readonly labels: Labels;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * prom-client's children validate and hash their labels on every `inc` and `observe` (12 µs for a request's
 * dozen updates); these families keep each series as a plain object the request path updates in place, and
 * hand prom-client the samples when scraped (a Registry formats any metric with `get()`). Cells are made once
 * per label tuple and kept by the caller; cells never updated are not shown.
 */
abstract class Family<Cell extends { labels: Labels }> {
  protected readonly cells: Cell[] = [];
  private readonly byLabels = new Map<string, Cell>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    // Not one of prom-client's classes, but what its Registry reads of one: name, help, type and get().
    registry.registerMetric(this as unknown as Metric);
  }

  abstract readonly type: "counter" | "histogram";

  protected abstract samples(): Sample[];

  /** The cell of these labels: several of the caller's series may share one (a counter without their label). */
  protected cellFor(labels: Labels, make: () => Cell): Cell {
    const key = Object.entries(labels).join("\n");
    let cell = this.byLabels.get(key);
    if (cell === undefined) {
      cell = make();
      this.byLabels.set(key, cell);
      this.cells.push(cell);
    }
    return cell;
  }

  get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: "sum", values: this.samples() };
  }
}

export class CounterFamily extends Family<CounterCell> {
  readonly type = "counter";

  cell(labels: Labels): CounterCell {
    return this.cellFor(labels, () => ({ labels, value: 0 }));
  }

  protected samples(): Sample[] {
    return this.cells.filter((cell) => cell.value > 0).map(({ labels, value }) => ({ labels, value }));
  }
}

export class HistogramFamily extends Family<HistogramCell> {
  readonly type = "histogram";
  private readonly bounds: readonly string[];

  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, registry);
    this.bounds = [...buckets.map(String), "+Inf"];
  }

  cell(labels: Labels): HistogramCell {
    return this.cellFor(labels, () => ({
      labels,
      counts: new Float64Array(this.buckets.length + 1),
      sum: 0,
      count: 0,
    }));
  }

  observe(cell: HistogramCell, value: number): void {
    const buckets = this.buckets;
    let index = 0;
    while (index < buckets.length && value > buckets[index]!) index++;
    cell.counts[index]!++;
    cell.sum += value;
    cell.count++;
  }

  protected samples(): Sample[] {
    const samples: Sample[] = [];
    for (const cell of this.cells) {
      if (cell.count === 0) continue;
      let cumulative = 0;
      for (let index = 0; index < this.bounds.length; index++) {
        cumulative += cell.counts[index]!;
        samples.push({
          metricName: `${this.name}_bucket`,
          labels: { ...cell.labels, le: this.bounds[index]! },
          value: cumulative,
        });
      }
      samples.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      samples.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return samples;
  }
}
