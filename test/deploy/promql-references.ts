import { parser } from "@prometheus-io/lezer-promql";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

/** One `name{label op "value"}` of an expression. */
export interface SelectorReference {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** Labels an expression groups or matches on (`by`, `without`, `on`, `ignoring`, `group_left`), and the metrics they apply to. */
export interface GroupingReference {
  labels: string[];
  metrics: string[];
}

/** A function over selected series: `rate(x[5m])` needs a counter, `histogram_quantile` buckets. */
export interface FunctionReference {
  name: string;
  metrics: string[];
  /** The labels of the groupings inside its arguments (`histogram_quantile` needs `le` among them). */
  groupedBy: string[];
}

export interface PromqlReferences {
  selectors: SelectorReference[];
  groupings: GroupingReference[];
  functions: FunctionReference[];
}

// Strict: a syntax error throws instead of leaving an error node in the tree.
const strictParser = parser.configure({ strict: true });

/**
 * What an expression references, from the Prometheus project's own PromQL grammar (the one its UI uses). Throws
 * when the expression does not parse.
 */
export function promqlReferences(expr: string): PromqlReferences {
  const top = strictParser.parse(expr).topNode;
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  const references: PromqlReferences = { selectors: [], groupings: [], functions: [] };
  visit(top, (node) => {
    if (node.name === "VectorSelector") references.selectors.push(selectorOf(node, text));
    else if (node.name === "AggregateModifier" || node.name === "MatchingModifierClause") {
      const labels = node.getChildren("GroupingLabels").flatMap((group) => labelNames(group, text));
      references.groupings.push({ labels, metrics: metricsUnder(node.parent!, text) });
    } else if (node.name === "FunctionCall") {
      const name = text(node.getChild("FunctionIdentifier")!);
      const body = node.getChild("FunctionCallBody")!;
      const groupedBy: string[] = [];
      visit(body, (inner) => {
        if (inner.name === "AggregateModifier") groupedBy.push(...labelNames(inner, text));
      });
      references.functions.push({ name, metrics: metricsUnder(body, text), groupedBy });
    }
  });
  return references;
}

/**
 * Grafana's interval variables stand where PromQL wants a duration (`[$__rate_interval]`), so they are given one
 * before parsing; other variables (`$job`) only stand inside label values, where they parse as they are.
 */
export function withGrafanaIntervals(expr: string): string {
  return expr.replace(/\$\{?__(rate_interval|interval|range)\}?/g, "5m");
}

function visit(node: SyntaxNode, enter: (node: SyntaxNode) => void): void {
  enter(node);
  for (let child = node.firstChild; child !== null; child = child.nextSibling) visit(child, enter);
}

function selectorOf(node: SyntaxNode, text: (node: SyntaxNode) => string): SelectorReference {
  const name = node.getChild("Identifier");
  if (name === null) throw new Error(`a selector without a metric name: ${text(node)}`);
  const matchers = (node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []).map(
    (matcher) => ({
      label: text(matcher.getChild("LabelName")!),
      op: text(matcher.getChild("MatchOp")!),
      value: stringValue(text(matcher.getChild("StringLiteral")!)),
    }),
  );
  return { metric: text(name), matchers };
}

function labelNames(node: SyntaxNode, text: (node: SyntaxNode) => string): string[] {
  const names: string[] = [];
  visit(node, (inner) => {
    if (inner.name === "LabelName") names.push(text(inner));
    else if (inner.name === "QuotedLabelName") names.push(stringValue(text(inner)));
  });
  return names;
}

function metricsUnder(node: SyntaxNode, text: (node: SyntaxNode) => string): string[] {
  const metrics: string[] = [];
  visit(node, (inner) => {
    if (inner.name === "VectorSelector") metrics.push(selectorOf(inner, text).metric);
  });
  return metrics;
}

/** PromQL strings: double or single quotes with Go escapes, or backticks without any. */
function stringValue(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith("`")) return body;
  return body.replace(/\\(.)/g, (_escape, character: string) =>
    character === "n" ? "\n" : character === "t" ? "\t" : character,
  );
}
