// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configs read the metrics token through ${NAME}.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config/index.js";
import { chartDir, createHelm } from "./helm-render.js";
import { type IngressPath, ingressRoutes, readmeRoutePaths } from "./ingress-paths.js";
import { type KubernetesObject, kubernetesProblems } from "./kubernetes-objects.js";

/**
 * deploy/helm/tollgate (issue 18), rendered by the real helm with its default values and with values that turn
 * everything on, each object checked against its kind's Kubernetes schema (and for unknown fields), then read:
 * the probes, the shutdown timing, the security context, the config Tollgate would load, and that every selector
 * and reference meets the object it means. No cluster runs here: nothing is applied.
 */

const helm = createHelm();
afterAll(() => helm.cleanup());

const root = join(import.meta.dirname, "../..");
const chart = parseYaml(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as { appVersion: string };
const defaults = parseYaml(readFileSync(join(chartDir, "values.yaml"), "utf8")) as {
  image: { repository: string };
  masterKey: { existingSecret: string; key: string };
  database: { existingSecret: string; urlKey: string };
};
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

/** Everything on, and most numbers changed, to catch a template that reads a value it should not ignore. */
const everythingOn = {
  image: { repository: "registry.example.com/platform/tollgate", tag: "0.1.0-rc.1" },
  autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 60 },
  serviceMonitor: {
    enabled: true,
    interval: "15s",
    labels: { release: "kube-prometheus-stack" },
    bearerTokenSecret: { name: "tollgate-metrics", key: "scrape-token" },
  },
  ingress: {
    enabled: true,
    className: "nginx",
    paths: [
      { path: "/v1", pathType: "Prefix" },
      { path: "/admin", pathType: "Prefix" },
      { path: "/healthz", pathType: "Exact" },
    ],
    // The second host has paths of its own, which replace ingress.paths there.
    hosts: [
      { host: "llm.example.com" },
      { host: "scrape.internal.example.com", paths: [{ path: "/metrics", pathType: "Exact" }] },
    ],
    tls: [{ secretName: "llm-tls", hosts: ["llm.example.com"] }],
  },
  adminToken: { existingSecret: "" },
  providerKeys: [
    { name: "ANTHROPIC_API_KEY", secretName: "llm-provider-keys", key: "anthropic" },
    { name: "OPENAI_API_KEY", secretName: "llm-provider-keys", key: "openai" },
  ],
  extraEnv: [
    { name: "NODE_OPTIONS", value: "--max-old-space-size=384" },
    {
      name: "TOLLGATE_METRICS_TOKEN",
      valueFrom: { secretKeyRef: { name: "tollgate-metrics", key: "scrape-token" } },
    },
  ],
  shutdown: { preStopSleepSeconds: 5, timeoutSeconds: 120, marginSeconds: 15 },
  containerPort: 9000,
  service: { port: 8080 },
  podAnnotations: { "example.com/team": "platform" },
  config: {
    server: { trustProxy: 1 },
    redis: { failMode: "closed", keyPrefix: "tg:" },
    limits: { defaults: { "*": { requests: 60, interval: "1m", concurrent: 2 } } },
    telemetry: { logging: { level: "warn" }, metrics: { token: "${TOLLGATE_METRICS_TOKEN}" } },
  },
};

function only(objects: KubernetesObject[], kind: string): KubernetesObject {
  const found = objects.filter((object) => object.kind === kind);
  expect(found, `one ${kind}`).toHaveLength(1);
  return found[0]!;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** A pod's environment with each Secret reference replaced by a plausible value for that variable. */
function podEnvironment(env: EnvVar[]): Record<string, string> {
  const sample: Record<string, string> = {
    TOLLGATE_DATABASE_URL: "postgres://tollgate:secret@postgres.example:5432/tollgate",
    TOLLGATE_REDIS_URL: "redis://redis.example:6379",
    TOLLGATE_MASTER_KEY: randomBytes(32).toString("base64"),
  };
  return Object.fromEntries(env.map((v) => [v.name, v.value ?? sample[v.name] ?? `secret-of-${v.name}`]));
}

/** Every check that holds for any values: run on each rendering. */
function checkRendering(objects: KubernetesObject[], values: typeof everythingOn | undefined) {
  for (const object of objects)
    expect(kubernetesProblems(object), `${object.kind} ${object.metadata.name}`).toEqual([]);

  const deployment = only(objects, "Deployment");
  const pod = deployment.spec.template;
  const [container, ...sidecars] = pod.spec.containers;
  expect(sidecars).toEqual([]);
  const selector = deployment.spec.selector.matchLabels as Record<string, string>;
  expect(pod.metadata.labels).toMatchObject(selector);

  // The image: the chart's appVersion (Tollgate's version) unless a tag is given.
  expect(chart.appVersion).toBe(version);
  const image = values?.image ?? { repository: defaults.image.repository, tag: chart.appVersion };
  expect(container.image).toBe(`${image.repository}:${image.tag}`);

  // Probes: started and alive on /healthz, ready (store and Redis answer) on /readyz, all on the http port.
  expect(container.startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
  expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
  expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
  const http = container.ports.find((port: { name: string }) => port.name === "http");

  // The config: mounted where TOLLGATE_CONFIG points, from the ConfigMap, and loadable with the pod's env.
  const env = container.env as EnvVar[];
  const configPath = env.find((v) => v.name === "TOLLGATE_CONFIG")?.value;
  expect(configPath).toBe("/etc/tollgate/tollgate.jsonc");
  const mount = container.volumeMounts.find(
    (m: { mountPath: string }) => m.mountPath === dirname(configPath!),
  );
  expect(mount.readOnly).toBe(true);
  const configMap = only(objects, "ConfigMap");
  const volume = pod.spec.volumes.find((v: { name: string }) => v.name === mount.name);
  expect(volume.configMap.name).toBe(configMap.metadata.name);
  const configText = configMap.data![basename(configPath!)]!;
  const podEnv = podEnvironment(env);
  const loaded = loadConfig(configText, { env: podEnv });
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  const { config } = loaded;
  expect(config.server.host).toBe("0.0.0.0");
  expect(http.containerPort).toBe(config.server.port);
  expect(config.storage.url.reveal()).toBe(podEnv.TOLLGATE_DATABASE_URL);
  expect(config.redis?.url.reveal()).toBe(podEnv.TOLLGATE_REDIS_URL);
  const secretRef = (name: string) => env.find((v) => v.name === name)?.valueFrom?.secretKeyRef;
  expect(secretRef("TOLLGATE_MASTER_KEY")).toEqual({
    name: defaults.masterKey.existingSecret,
    key: defaults.masterKey.key,
  });
  expect(secretRef("TOLLGATE_DATABASE_URL")).toEqual({
    name: defaults.database.existingSecret,
    key: defaults.database.urlKey,
  });
  // A config change rolls the pods (the annotation's value is checked below).
  expect(pod.metadata.annotations["checksum/config"]).toMatch(/^[0-9a-f]{64}$/);

  // Stopping: the endpoint goes while preStop sleeps, then SIGTERM, then the drain; SIGKILL only after both.
  const [sleep, seconds, ...rest] = container.lifecycle.preStop.exec.command as string[];
  expect([sleep, rest]).toEqual(["sleep", []]);
  expect(pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
    Number(seconds) * 1000 + config.server.shutdownTimeout,
  );

  // Non-root with a read-only root filesystem; /tmp is an emptyDir.
  expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
  expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
  expect(container.securityContext).toMatchObject({
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
  });
  const tmp = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/tmp");
  expect(pod.spec.volumes.find((v: { name: string }) => v.name === tmp.name).emptyDir).toBeDefined();

  // The Service reaches the pods' http port.
  const service = only(objects, "Service");
  expect(service.spec.selector).toEqual(selector);
  expect(service.spec.ports.map((port: { targetPort: string }) => port.targetPort)).toEqual(["http"]);

  // The disruption budget covers exactly the Deployment's pods.
  const pdb = only(objects, "PodDisruptionBudget");
  expect(pdb.apiVersion).toBe("policy/v1");
  expect(pdb.spec.selector.matchLabels).toEqual(selector);
  return { deployment, container, config, service, env };
}

describe("deploy/helm/tollgate", () => {
  it("passes helm lint --strict with its defaults and with everything turned on", () => {
    for (const values of [undefined, everythingOn]) {
      const lint = helm.lint(values);
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    }
  });

  it("knows a wrong object when it sees one (the checks below are not vacuous)", () => {
    const { objects } = helm.template();
    const deployment = structuredClone(only(objects, "Deployment"));
    deployment.spec.template.spec.containers[0].readinesProbe =
      deployment.spec.template.spec.containers[0].readinessProbe;
    expect(kubernetesProblems(deployment).join()).toContain("readinesProbe");
    deployment.spec.replicas = "two";
    expect(kubernetesProblems(deployment).join()).toContain("replicas");
    const monitor = only(helm.template(everythingOn).objects, "ServiceMonitor");
    const misspelt = structuredClone(monitor);
    misspelt.spec.endpoints[0].authorisation = misspelt.spec.endpoints[0].authorization;
    expect(kubernetesProblems(misspelt).join()).toContain("authorisation");
    const credentialsAsText = structuredClone(monitor);
    credentialsAsText.spec.endpoints[0].authorization.credentials = "tollgate-metrics";
    expect(kubernetesProblems(credentialsAsText).join()).toContain("credentials");
  });

  it("renders valid objects with its defaults: two replicas, no autoscaler, monitor or ingress", () => {
    const rendered = helm.template();
    expect(rendered.status, rendered.stderr).toBe(0);
    const kinds = rendered.objects.map((object) => object.kind).sort();
    expect(kinds).toEqual(["ConfigMap", "Deployment", "PodDisruptionBudget", "Service"]);
    const { deployment, container, config, env } = checkRendering(rendered.objects, undefined);
    expect(deployment.spec.replicas).toBe(2);
    expect(config.server.shutdownTimeout).toBe(30_000);
    expect(env.map((v) => v.name)).toContain("TOLLGATE_ADMIN_TOKEN");
    expect(container.resources.requests.cpu).toBeDefined();
  });

  it("renders valid objects with everything on, the values reaching every object they should", () => {
    const rendered = helm.template(everythingOn, "llm");
    expect(rendered.status, rendered.stderr).toBe(0);
    const { objects } = rendered;
    const kinds = objects.map((object) => object.kind).sort();
    expect(kinds).toEqual([
      "ConfigMap",
      "Deployment",
      "HorizontalPodAutoscaler",
      "Ingress",
      "PodDisruptionBudget",
      "Service",
      "ServiceMonitor",
    ]);
    const { deployment, container, config, service, env } = checkRendering(objects, everythingOn);
    // The autoscaler owns the replica count.
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = only(objects, "HorizontalPodAutoscaler");
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: deployment.metadata.name,
    });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 12]);
    expect(hpa.spec.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
      },
    ]);
    // The monitor scrapes the Service's pods on a port the Service has.
    const monitor = only(objects, "ServiceMonitor");
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
    const servicePorts = service.spec.ports.map((port: { name: string }) => port.name);
    for (const endpoint of monitor.spec.endpoints) {
      expect(servicePorts).toContain(endpoint.port);
      expect(endpoint).toMatchObject({ path: "/metrics", interval: "15s" });
      // Prometheus sends the token that the pods' config asks /metrics for: the same Secret key.
      expect(endpoint.authorization).toEqual({
        type: "Bearer",
        credentials: { name: "tollgate-metrics", key: "scrape-token" },
      });
      const { name, key } = endpoint.authorization.credentials;
      const tokenVariable = env.find(
        (v) => v.valueFrom?.secretKeyRef.name === name && v.valueFrom?.secretKeyRef.key === key,
      );
      expect(tokenVariable, "a pod variable reads the monitor's Secret key").toBeDefined();
      expect(config.telemetry.metrics.token?.reveal()).toBe(podEnvironment(env)[tokenVariable!.name]);
    }
    // The ingress sends to the Service, on ingress.paths unless a host has paths of its own.
    const ingress = only(objects, "Ingress");
    for (const rule of ingress.spec.rules)
      for (const path of rule.http.paths)
        expect(path.backend.service).toEqual({ name: service.metadata.name, port: { name: "http" } });
    const pathsOf = (rule: { http: { paths: (IngressPath & { backend: unknown })[] } }) =>
      rule.http.paths.map(({ path, pathType }) => ({ path, pathType }));
    expect(ingress.spec.rules.map(pathsOf)).toEqual([
      everythingOn.ingress.paths,
      everythingOn.ingress.hosts[1]!.paths,
    ]);
    expect(ingress.spec.ingressClassName).toBe("nginx");
    expect(ingress.metadata.annotations?.["nginx.ingress.kubernetes.io/proxy-buffering"]).toBe("off");
    // Values that change the config and the pod.
    expect(config.server.port).toBe(9000);
    expect(config.server.shutdownTimeout).toBe(120_000);
    expect(config.server.trustProxy).toBe(1);
    expect(config.redis).toMatchObject({ failMode: "closed", keyPrefix: "tg:" });
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(5 + 120 + 15);
    expect(container.lifecycle.preStop.exec.command).toEqual(["sleep", "5"]);
    expect(service.spec.ports[0].port).toBe(8080);
    expect(env.map((v) => v.name)).not.toContain("TOLLGATE_ADMIN_TOKEN");
    expect(env.find((v) => v.name === "OPENAI_API_KEY")?.valueFrom?.secretKeyRef).toEqual({
      name: "llm-provider-keys",
      key: "openai",
    });
    expect(env.find((v) => v.name === "NODE_OPTIONS")?.value).toBe("--max-old-space-size=384");
    expect(deployment.spec.template.metadata.annotations["example.com/team"]).toBe("platform");
  });

  it("routes the client APIs and the console through the Ingress by default, never /metrics", () => {
    const ingress = only(helm.template({ ingress: { enabled: true } }).objects, "Ingress");
    const paths: IngressPath[] = ingress.spec.rules.flatMap(
      (rule: { http: { paths: IngressPath[] } }) => rule.http.paths,
    );
    // Every route the README documents: the client APIs, the Cody Gateway's, the admin API, and the console's pages.
    const documented = readmeRoutePaths(readFileSync(join(root, "README.md"), "utf8"));
    const inside = ["/metrics", "/healthz", "/readyz"];
    expect(documented).toEqual(expect.arrayContaining([...inside, "/v1/completions/anthropic-messages"]));
    const published = [
      ...documented.filter((path) => !inside.includes(path)),
      "/admin/",
      "/admin/assets/x.js",
    ];
    expect(published.length).toBeGreaterThan(30);
    for (const path of published) expect(ingressRoutes(paths, path), path).toBe(true);
    // /metrics answers anyone unless a token is set; the health routes are for the cluster's probes.
    for (const path of inside) expect(ingressRoutes(paths, path), path).toBe(false);
    // The matching is not vacuous: `/` would publish /metrics, and a prefix takes whole path elements only.
    expect(ingressRoutes([{ path: "/", pathType: "Prefix" }], "/metrics")).toBe(true);
    expect(ingressRoutes([{ path: "/v1", pathType: "Prefix" }], "/v1x")).toBe(false);
  });

  it("gives Prometheus no token unless serviceMonitor.bearerTokenSecret names one", () => {
    const rendered = helm.template({ serviceMonitor: { enabled: true } });
    const monitor = only(rendered.objects, "ServiceMonitor");
    expect(kubernetesProblems(monitor)).toEqual([]);
    expect(monitor.spec.endpoints.map((endpoint: object) => "authorization" in endpoint)).toEqual([false]);
  });

  it("rolls the pods when the config changes, and only then", () => {
    const checksum = (values?: object) =>
      only(helm.template(values).objects, "Deployment").spec.template.metadata.annotations["checksum/config"];
    const base = checksum();
    expect(checksum({ replicaCount: 3 })).toBe(base);
    expect(checksum({ config: { telemetry: { logging: { level: "debug" } } } })).not.toBe(base);
    expect(checksum({ shutdown: { timeoutSeconds: 45 } })).not.toBe(base);
    // It is the digest of the ConfigMap exactly as rendered.
    const rendered = helm.template();
    const document = /# Source: tollgate\/templates\/configmap\.yaml\n([\s\S]*?)\n(?=---\n|$)/.exec(
      rendered.stdout,
    )?.[1];
    expect(createHash("sha256").update(`${document}\n`).digest("hex")).toBe(base);
  });

  it("runs one replica without Redis and then has no disruption budget (it would block every drain)", () => {
    const rendered = helm.template({ replicaCount: 1, redis: { existingSecret: "" } });
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.objects.map((object) => object.kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "Service",
    ]);
    const configMap = only(rendered.objects, "ConfigMap");
    const loaded = loadConfig(configMap.data!["tollgate.jsonc"]!, {
      env: { TOLLGATE_DATABASE_URL: "postgres://u:p@db:5432/t" },
    });
    expect(loaded.ok).toBe(true);
    expect(loaded.ok && loaded.config.redis).toBeUndefined();
    for (const object of rendered.objects) expect(kubernetesProblems(object)).toEqual([]);
  });

  it.each([
    [{ redis: { existingSecret: "" } }, "more than one replica needs Redis"],
    [{ replicaCount: 1, redis: { existingSecret: "" }, autoscaling: { enabled: true } }, "needs Redis"],
    [{ masterKey: { existingSecret: "" } }, "masterKey.existingSecret"],
    [{ database: { existingSecret: "" } }, "database.existingSecret"],
    [{ config: { server: { port: 9999 } } }, "config.server.port is set by the chart"],
    [{ config: { storage: { url: "postgres://elsewhere/db" } } }, "config.storage.url is set by the chart"],
    [
      {
        serviceMonitor: { enabled: true },
        config: { telemetry: { metrics: { token: "${METRICS_TOKEN}" } } },
      },
      "serviceMonitor.bearerTokenSecret.name is empty while config.telemetry.metrics.token is set",
    ],
  ])("refuses values that cannot work: %j", (values, message) => {
    const rendered = helm.template(values);
    expect(rendered.status).not.toBe(0);
    expect(rendered.stderr).toContain(message);
  });
});
