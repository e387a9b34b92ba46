import type { ExportedMetric, ExportedMetrics } from "./exported-metrics.js";
import { type PromqlReferences, promqlReferences } from "./promql-references.js";

/** Labels Prometheus adds to every series of a target when it scrapes it: the gateway does not export them. */
const targetLabels = new Set(["job", "instance"]);

/** Functions whose argument must be a counter (or a histogram's cumulative series). */
const counterFunctions = new Set(["rate", "irate", "increase", "resets"]);

/**
 * What in a PromQL expression does not match the gateway's scrape: a `tollgate_` metric it does not export, a label
 * it does not carry, a label value no series has, `rate` over a gauge, `histogram_quantile` over anything but
 * buckets grouped by `le`. Other metrics (`up`) are Prometheus' own and left alone. Empty when all is well.
 */
export function referenceProblems(expr: string, exported: ExportedMetrics): string[] {
  let references: PromqlReferences;
  try {
    references = promqlReferences(expr);
  } catch (error) {
    return [`does not parse (${(error as Error).message}): ${expr}`];
  }
  const problems: string[] = [];
  const known = (metric: string) => (metric.startsWith("tollgate_") ? exported.get(metric) : undefined);
  for (const { metric, matchers } of references.selectors) {
    if (!metric.startsWith("tollgate_")) continue;
    const found = exported.get(metric);
    if (found === undefined) {
      problems.push(`${metric} is not exported`);
      continue;
    }
    for (const { label, op, value } of matchers) {
      if (targetLabels.has(label)) continue;
      const values = found.labels.get(label);
      if (values === undefined) problems.push(missingLabel(metric, found, label));
      else if (!value.includes("$") && value !== "" && !matchesSome(op, value, values))
        problems.push(`no series of ${metric} has ${label}${op}"${value}" (seen: ${[...values].join(", ")})`);
    }
  }
  for (const { labels, metrics } of references.groupings) {
    for (const metric of new Set(metrics)) {
      const found = known(metric);
      if (found === undefined) continue;
      for (const label of labels)
        if (!targetLabels.has(label) && !found.labels.has(label))
          problems.push(missingLabel(metric, found, label));
    }
  }
  for (const { name, metrics, groupedBy } of references.functions) {
    for (const metric of new Set(metrics)) {
      const found = known(metric);
      if (found === undefined) continue;
      if (counterFunctions.has(name) && found.type !== "counter" && found.type !== "histogram")
        problems.push(`${name}() over ${metric}, a ${found.type}`);
      if (name === "histogram_quantile") {
        if (found.type !== "histogram" || !metric.endsWith("_bucket"))
          problems.push(`histogram_quantile() over ${metric}, not a histogram's _bucket series`);
        if (!groupedBy.includes("le")) problems.push(`histogram_quantile() over ${metric} without "by (le)"`);
      }
    }
  }
  return problems;
}

/** The labels an expression's result keeps: its aggregations' `by` labels, or its selectors' own labels. */
export function resultLabels(expr: string, exported: ExportedMetrics): Set<string> {
  const references = promqlReferences(expr);
  const grouped = references.groupings.flatMap((grouping) => grouping.labels);
  if (grouped.length > 0) return new Set(grouped);
  const labels = new Set(targetLabels);
  for (const { metric } of references.selectors)
    for (const label of exported.get(metric)?.labels.keys() ?? []) labels.add(label);
  return labels;
}

function missingLabel(metric: string, found: ExportedMetric, label: string): string {
  const seen = [...found.labels.keys()];
  return seen.length === 0
    ? `${metric} has no series in the scrape, so its label ${label} cannot be checked`
    : `${metric} has no label ${label} (it has: ${seen.join(", ")})`;
}

function matchesSome(op: string, value: string, values: Set<string>): boolean {
  if (op === "=") return values.has(value);
  if (op === "=~") {
    // PromQL regexes are anchored at both ends.
    const pattern = new RegExp(`^(?:${value})$`);
    return [...values].some((seen) => pattern.test(seen));
  }
  return true; // != and !~ select whatever else there is.
}
