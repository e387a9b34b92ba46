import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Gateway } from "../../src/server/gateway.js";
import { testRedis } from "../auth/redis.js";
import { type MockUpstream, sendJson, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";
import { type ExportedMetrics, exportedMetrics } from "./exported-metrics.js";
import { promqlReferences, withGrafanaIntervals } from "./promql-references.js";
import { referenceProblems, resultLabels } from "./reference-check.js";

/**
 * deploy/grafana's dashboard and deploy/prometheus/alerts.yml (issue 18) against what a real gateway exports: every
 * `tollgate_` metric, label and label value their PromQL uses must be in its /metrics after a few requests.
 */

const root = join(import.meta.dirname, "../..");
const dashboardFile = join(root, "deploy/grafana/tollgate-dashboard.json");
const alertsFile = join(root, "deploy/prometheus/alerts.yml");
/** `${NAME}`: a reference the config loader resolves, and Grafana's variable syntax. */
const placeholder = (name: string) => `$\{${name}}`;
const tokens = { open: "tg_observability_open_0123456789abcd", tight: "tg_observability_tight_0123456789ab" };

function config(mock: string, storage: string, redisPrefix: string): string {
  const model = (id: string) => ({
    modelRef: `openai::v1::${id}`,
    modelName: id,
    capabilities: ["chat"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
    pricing: { input: 3, output: 15 },
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    // Redis, so that its dependency series exists as in a production deployment.
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: redisPrefix },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: "sk-test" },
        },
      ],
      modelOverrides: [model("text"), model("broken")],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
    actors: [
      { id: "open", tokens: [placeholder("OPEN")] },
      { id: "tight", tokens: [placeholder("TIGHT")], limits: { chat: { requests: 1, interval: "1h" } } },
    ],
  });
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}

interface Variable {
  name: string;
  type: string;
  query: unknown;
}

interface Dashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const dashboard = JSON.parse(await readFile(dashboardFile, "utf8")) as Dashboard;
const alerts = parseYaml(await readFile(alertsFile, "utf8")) as { groups: { name: string; rules: Rule[] }[] };
const rules = (alerts.groups ?? []).flatMap((group) => group.rules ?? []);
const graphs = dashboard.panels.filter((panel) => panel.type !== "row");

/** `label_values(selector, label)`, Grafana's variable query, as the PromQL selector it reads. */
function variableExpr(query: unknown): string {
  const text = typeof query === "string" ? query : (query as { query: string }).query;
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
  if (!match) throw new Error(`not a label_values() query: ${text}`);
  return `sum by (${match[2]}) (${match[1]})`;
}

/** Each PromQL expression of the dashboard, named by where it is. */
function dashboardExprs(): [string, string][] {
  const variables = dashboard.templating.list
    .filter((variable) => variable.type === "query")
    .map((variable): [string, string] => [`variable ${variable.name}`, variableExpr(variable.query)]);
  const targets = graphs.flatMap((panel) =>
    (panel.targets ?? []).map((target): [string, string] => [
      `"${panel.title}" ${target.refId}`,
      withGrafanaIntervals(target.expr),
    ]),
  );
  return [...variables, ...targets];
}

function problemsOf(exprs: [string, string][], exported: ExportedMetrics): string[] {
  return exprs.flatMap(([where, expr]) =>
    referenceProblems(expr, exported).map((problem) => `${where}: ${problem}`),
  );
}

describe("the Grafana dashboard and the Prometheus alert rules", () => {
  let dir: string;
  let mock: MockUpstream;
  let gateway: Gateway;
  let exported: ExportedMetrics;
  const redis = testRedis();

  const chat = (model: string, token = tokens.open, stream = false) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model, stream, max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-observability-"));
    mock = await startMockUpstream();
    mock.script("broken", (_request, response) => sendJson(response, 500, { error: { message: "boom" } }));
    const file = join(dir, "tollgate.jsonc");
    await writeFile(file, config(mock.url, join(dir, "tollgate.db"), redis.keyPrefix));
    gateway = await startTestGateway({ file, dir, configEnv: { OPEN: tokens.open, TIGHT: tokens.tight } });

    expect((await chat("openai::v1::text")).status).toBe(200);
    const stream = await chat("openai::v1::text", tokens.open, true);
    expect(stream.status).toBe(200);
    await stream.text();
    expect((await chat("openai::v1::broken")).status).toBe(502);
    expect((await chat("openai::v1::text", tokens.tight)).status).toBe(200);
    expect((await chat("openai::v1::text", tokens.tight)).status).toBe(429);
    // A stream's outcome reaches the metrics when its response closes, just after the client has read it.
    for (let tries = 0; ; tries++) {
      const response = await fetch(`${gateway.url}/metrics`);
      expect(response.status).toBe(200);
      exported = exportedMetrics(await response.text());
      if (exported.get("tollgate_time_to_first_token_seconds_bucket")?.labels.size) break;
      if (tries > 100) throw new Error("the stream's outcome never reached the metrics");
      await sleep(10);
    }
  });

  afterAll(async () => {
    await gateway?.close();
    await mock?.close();
    await redis.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("has the scrape's series the checks rely on", () => {
    expect(exported.get("tollgate_requests_total")?.labels.get("status")).toEqual(
      new Set(["200", "502", "429"]),
    );
    expect(exported.get("tollgate_dependency_up")?.labels.get("dependency")).toEqual(
      new Set(["store", "redis"]),
    );
    expect(exported.get("tollgate_upstream_errors_total")?.labels.get("code")).toEqual(
      new Set(["upstream_error"]),
    );
    expect(exported.get("tollgate_limit_refusals_total")?.labels.get("limit")).toEqual(new Set(["requests"]));
  });

  it("uses only metrics, labels and label values the gateway exports, in the dashboard's queries", () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(30);
    expect(problemsOf(exprs, exported)).toEqual([]);
  });

  it("uses only metrics, labels and label values the gateway exports, in the alert rules", () => {
    expect(
      problemsOf(
        rules.map((rule) => [rule.alert, rule.expr]),
        exported,
      ),
    ).toEqual([]);
  });

  it("fails the check when a metric or a label is renamed in the gateway", () => {
    const renamed: ExportedMetrics = new Map(exported);
    renamed.set(
      "tollgate_gateway_overhead_secs_bucket",
      renamed.get("tollgate_gateway_overhead_seconds_bucket")!,
    );
    renamed.delete("tollgate_gateway_overhead_seconds_bucket");
    const requests = renamed.get("tollgate_requests_total")!;
    const labels = new Map(requests.labels);
    labels.set("http_status", labels.get("status")!);
    labels.delete("status");
    renamed.set("tollgate_requests_total", { ...requests, labels });

    const dashboardProblems = problemsOf(dashboardExprs(), renamed);
    expect(dashboardProblems).toContainEqual(
      '"Gateway overhead" C: tollgate_gateway_overhead_seconds_bucket is not exported',
    );
    expect(dashboardProblems.some((problem) => problem.includes("has no label status"))).toBe(true);
    const alertProblems = problemsOf(
      rules.map((rule) => [rule.alert, rule.expr]),
      renamed,
    );
    expect(alertProblems.some((problem) => problem.startsWith("TollgateGatewayOverheadHigh:"))).toBe(true);
    expect(alertProblems.some((problem) => problem.startsWith("TollgateHighErrorRatio:"))).toBe(true);
    expect(referenceProblems("rate(tollgate_usage_queue_depth[5m])", exported)).toEqual([
      "rate() over tollgate_usage_queue_depth, a gauge",
    ]);
    expect(referenceProblems('tollgate_dependency_up{dependency="postgres"}', exported)).toHaveLength(1);
    expect(referenceProblems("sum(rate(tollgate_requests_total[5m]", exported)[0]).toMatch(/^does not parse/);
  });

  it("has a panel for each of the gateway's main metric families", () => {
    const used = new Set(
      dashboardExprs().flatMap(([, expr]) =>
        promqlReferences(expr).selectors.map((selector) => selector.metric),
      ),
    );
    for (const family of [
      "tollgate_requests_total",
      "tollgate_request_duration_seconds_bucket",
      "tollgate_time_to_first_token_seconds_bucket",
      "tollgate_gateway_overhead_seconds_bucket",
      "tollgate_concurrent_upstream_requests",
      "tollgate_upstream_errors_total",
      "tollgate_tokens_total",
      "tollgate_cost_usd_total",
      "tollgate_limit_refusals_total",
      "tollgate_usage_queue_depth",
      "tollgate_usage_events_dropped_total",
      "tollgate_upstream_circuits_open",
      "tollgate_dependency_up",
    ])
      expect(used, family).toContain(family);
  });

  it("is a Grafana dashboard: a Prometheus data source variable, job and instance filters, panels laid out on 24 columns", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
    expect(variables.get("datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    expect(variables.get("job")?.type).toBe("query");
    expect(variables.get("instance")?.type).toBe("query");

    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(
        x >= 0 && w > 0 && h > 0 && x + w <= 24,
        `"${panel.title}" gridPos ${JSON.stringify(panel.gridPos)}`,
      ).toBe(true);
      for (let row = y; row < y + h; row++)
        for (let column = x; column < x + w; column++) {
          expect(cells.has(`${row},${column}`), `"${panel.title}" overlaps another panel`).toBe(false);
          cells.add(`${row},${column}`);
        }
    }
    expect(graphs.length).toBeGreaterThan(15);
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: placeholder("datasource") });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = panel.targets!.map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets!)
        expect(target.datasource?.uid, panel.title).toBe(placeholder("datasource"));
    }
  });

  it("filters every dashboard query by the job and instance variables", () => {
    for (const [where, expr] of dashboardExprs().filter(([where]) => !where.startsWith("variable"))) {
      for (const { metric, matchers } of promqlReferences(expr).selectors) {
        const filters = matchers.filter(({ op, value }) => op === "=~" && value.startsWith("$"));
        expect(
          filters.map(({ label, value }) => `${label}=~${value}`),
          `${where}: ${metric}`,
        ).toEqual(["job=~$job", "instance=~$instance"]);
      }
    }
  });

  it("is a Prometheus rules file: groups of alerts with an expression, a duration, a severity, a summary and a description", () => {
    expect(Object.keys(alerts)).toEqual(["groups"]);
    const groupNames = alerts.groups.map((group) => group.name);
    expect(new Set(groupNames).size).toBe(groupNames.length);
    const ruleKeys = new Set(["alert", "expr", "for", "keep_firing_for", "labels", "annotations"]);
    for (const group of alerts.groups) {
      expect(Object.keys(group).every((key) => ["name", "rules", "interval", "limit"].includes(key))).toBe(
        true,
      );
      expect(group.rules.length, group.name).toBeGreaterThan(0);
    }
    const names = rules.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(
        Object.keys(rule).filter((key) => !ruleKeys.has(key)),
        rule.alert,
      ).toEqual([]);
      expect(rule.alert).toMatch(/^[A-Za-z_]\w*$/);
      expect(rule.for, rule.alert).toMatch(/^(\d+(ms|s|m|h|d|w|y))+$/);
      expect(["critical", "warning", "info"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.trim(), rule.alert).toBeTruthy();
      expect(rule.annotations?.description?.trim(), rule.alert).toBeTruthy();
      // An annotation's $labels.x is empty unless the expression's result keeps x.
      const kept = resultLabels(rule.expr, exported);
      const annotations = Object.values(rule.annotations).join("\n");
      for (const [, label] of annotations.matchAll(/\$labels\.(\w+)/g))
        expect(kept, `${rule.alert}: $labels.${label}`).toContain(label);
    }
  });

  it("alerts on errors, upstream errors, overhead, usage drops and a full queue, dependencies, circuits and replicas", () => {
    const metricsOf = (rule: Rule) =>
      promqlReferences(rule.expr).selectors.map((selector) => selector.metric);
    const alerting = (metric: string) => rules.filter((rule) => metricsOf(rule).includes(metric));
    for (const metric of [
      "tollgate_requests_total",
      "tollgate_upstream_errors_total",
      "tollgate_gateway_overhead_seconds_bucket",
      "tollgate_usage_events_dropped_total",
      "tollgate_usage_queue_depth",
      "tollgate_upstream_circuits_open",
      "up",
    ])
      expect(alerting(metric).length, metric).toBeGreaterThan(0);
    const dependencies = alerting("tollgate_dependency_up").flatMap((rule) =>
      promqlReferences(rule.expr).selectors.flatMap((selector) =>
        selector.matchers.filter((matcher) => matcher.label === "dependency").map((matcher) => matcher.value),
      ),
    );
    expect(dependencies.sort()).toEqual(["redis", "store"]);
  });
});
