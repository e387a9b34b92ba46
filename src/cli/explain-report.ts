import type { Explanation } from "../admin/explain.js";
import type { LimitsExplained } from "../admin/explain-limits.js";
import type { EndpointView } from "../admin/explain-upstream.js";

/** What `tollgate explain` prints for people: one labelled line per step of the request path. */

const origins = {
  config: "central key from the config",
  stored: "central key set through the admin API",
  ambient: "ambient credentials",
  keyless: "no key (the endpoint needs none)",
  user: "the actor's own key",
} as const;

const onOff = (value: boolean) => (value ? "on" : "off");

function line(label: string, text: string, more: string[] = []): string {
  const indent = " ".repeat(10);
  return [`${label.padEnd(10)}${text}`, ...more.map((extra) => indent + extra)].join("\n");
}

function endpointLines(endpoint: EndpointView): string[] {
  const auth = endpoint.auth;
  const carrier = auth.headers ? ` (${auth.headers.join(", ")})` : auth.query ? ` (?${auth.query}=)` : "";
  const headers = endpoint.headers.length > 0 ? `; headers ${endpoint.headers.join(", ")}` : "";
  return [
    endpoint.url,
    ...(endpoint.streamUrl ? [`stream: ${endpoint.streamUrl}`] : []),
    `auth ${auth.scheme}${carrier}${headers}`,
  ];
}

function limitsLines(limits: LimitsExplained): string[] {
  if (limits.unlimited) return ["none"];
  const per = limits.interval ? ` per ${limits.interval}` : "";
  const lines: string[] = [];
  for (const name of ["requests", "tokens"] as const) {
    const window = limits[name];
    if (window) {
      lines.push(
        `${name} ${window.usage} of ${window.limit}${per} used, ${window.remaining} left, resets ${window.resetAt}`,
      );
    }
  }
  if (limits.concurrent)
    lines.push(`concurrent ${limits.concurrent.inUse} of ${limits.concurrent.limit} in use`);
  const budget = limits.budget;
  if (budget) {
    lines.push(
      `budget $${budget.spentUsd.toFixed(2)} of $${budget.usd} per ${budget.period}, resets ${budget.resetAt}`,
    );
  }
  return lines;
}

export function explanationReport(explanation: Explanation): string {
  const { actor, model, provider, credential, upstream, refusal } = explanation;
  const out = [line("actor", `${actor.id} (${actor.role}, ${actor.status}, from ${actor.source})`)];
  out.push(line("request", `${explanation.route}, counted as ${explanation.feature}`));
  if (model) {
    const allowed = `${model.allowed ? "allowed" : "not allowed"} by allowedModels ${model.allowedModels.join(", ")}`;
    const how =
      model.resolvedBy === "ref"
        ? "by ref"
        : model.resolvedBy === "id"
          ? `by id \`${model.requested}\``
          : `the ${explanation.feature} default`;
    out.push(line("model", `${model.ref} (${how}); ${allowed}`));
  }
  if (provider) {
    out.push(
      line("provider", `${provider.id} (${provider.type})${provider.supported ? "" : ", not supported"}`),
    );
  }
  if (upstream) {
    const [first, ...rest] = upstream.endpoints.flatMap(endpointLines);
    out.push(line("endpoint", first ?? "none", rest));
  }
  if (credential) {
    const policy = credential.keyPolicy;
    const row = credential.row ? `key policy row ${credential.row.n}: ${credential.row.reason}` : undefined;
    const used = credential.origin
      ? `${origins[credential.origin]} (${credential.mode}${credential.region ? `, ${credential.region}` : ""})`
      : `no usable key: ${credential.problem}`;
    out.push(
      line("key", used, [
        ...(row ? [row] : []),
        `policy: centralKey ${onOff(policy.centralKey)}, allowUserKeys ${onOff(policy.allowUserKeys)}, centralKeyFallback ${onOff(policy.centralKeyFallback)}`,
      ]),
    );
  }
  const [limitsFirst, ...limitsRest] = limitsLines(explanation.limits);
  out.push(line("limits", `${explanation.limits.feature}: ${limitsFirst}`, limitsRest));
  if (refusal) {
    const retry =
      refusal.retryAfterSeconds === undefined ? [] : [`retry after ${refusal.retryAfterSeconds}s`];
    out.push(
      line(
        "verdict",
        `refused at ${refusal.step}: ${refusal.status} ${refusal.code}: ${refusal.message}`,
        retry,
      ),
    );
  } else {
    out.push(line("verdict", "admitted"));
  }
  return `${out.join("\n")}\n`;
}
