import { readFile, stat } from "node:fs/promises";
import { type ProviderDraft, resolveModelConfiguration } from "../catalogue/resolve.js";
import type { Catalogue, DefaultModels, Report } from "../catalogue/types.js";
import { formatPath, type PathSegment, type Problem, type Severity, sortProblems } from "../problems.js";
import { hideValues, redactSecretsInText, secretValuesIn } from "../redact.js";
import type {
  ModelConfigurationInput,
  ModelOverride,
  ProviderOverride,
} from "../schema/model-configuration.js";
import { type TollgateConfig, tollgateConfig } from "../schema/tollgate.js";
import type { Environment } from "./interpolate.js";
import { offsetOfPath } from "./location.js";
import { MAX_CONFIG_BYTES, parseDocument } from "./parse-document.js";
import { pendingKeysIn } from "./pending-features.js";
import { splitSiteConfig } from "./site-config.js";
import { problemsFromZod } from "./zod-problems.js";

/** A configuration that loaded: the file's settings and the catalogue resolved from them. */
export interface LoadedConfig {
  ok: true;
  config: TollgateConfig;
  catalogue: Catalogue;
  warnings: Problem[];
}

export type LoadResult = LoadedConfig | { ok: false; problems: Problem[] };

export interface LoadOptions {
  env?: Environment;
  fileName?: string;
}

/** The model configuration used when a file has no `modelConfiguration` (DESIGN §3): the built-in catalogue. */
const EMBEDDED_MODEL_CONFIGURATION: ModelConfigurationInput = { sourcegraph: {} };

/**
 * The last step for every problem, whichever check made it: URL passwords and secret query parameters, and the
 * values of secret settings (`accessToken`, `headers`, `tokens`…), never reach a message.
 */
function withoutSecrets(problems: Problem[], document: unknown): Problem[] {
  if (problems.length === 0) return problems;
  const secrets = secretValuesIn(document);
  return problems.map((problem) => ({
    ...problem,
    path: redactSecretsInText(problem.path),
    message: redactSecretsInText(hideValues(problem.message, secrets)),
  }));
}

/** Validates a config document; every problem is returned at once, nothing throws. */
export function loadConfig(text: string, options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const document = parseDocument(text, env);
  const problems = [...document.problems];
  const finish = (list: Problem[]) => withoutSecrets(sortProblems(list), document.value);
  const report = (path: PathSegment[], message: string, severity: Severity, atKey = false) => {
    const { line, column } = document.lines.position(offsetOfPath(document.root, path, atKey));
    problems.push({ path: formatPath(path), message, line, column, severity });
  };
  if (document.value === undefined) return { ok: false, problems: finish(problems) };
  if (document.value === null || typeof document.value !== "object" || Array.isArray(document.value)) {
    report([], "expected a JSON object at the top level", "error");
    return { ok: false, problems: finish(problems) };
  }

  const value = { ...(document.value as Record<string, unknown>) };
  const { ignored } = splitSiteConfig(value);
  for (const key of ignored) {
    report(
      [key],
      `ignored Sourcegraph setting \`${key}\` (Tollgate reads only \`modelConfiguration\` from a site config)`,
      "warning",
      true,
    );
    delete value[key];
  }

  const parsed = tollgateConfig.safeParse(value);
  if (!parsed.success) {
    problems.push(
      ...problemsFromZod(parsed.error.issues, { root: document.root, lines: document.lines, value }),
    );
    return { ok: false, problems: finish(problems) };
  }
  // From the document as written: a default never warns, only a key the user set.
  for (const pending of pendingKeysIn(value)) report(pending.path, pending.message, "warning", true);
  const catalogue = resolveCatalogue(parsed.data, env, report);
  const sorted = finish(problems);
  if (sorted.some((problem) => problem.severity === "error")) return { ok: false, problems: sorted };
  return { ok: true, config: parsed.data, catalogue, warnings: sorted };
}

/** Entries made through the admin API, parsed, to resolve beside the file's (see stored-catalogue.ts). */
export interface CatalogueAdditions {
  providers: readonly ProviderOverride[];
  models: readonly ModelOverride[];
  defaults: Partial<Record<keyof DefaultModels, string>>;
}

/**
 * The catalogue of a config: its `modelConfiguration`, or the embedded default's built-in catalogue, with the
 * admin API's additions after the file's own entries (so the file's come first and win a duplicate id). A
 * default the file sets (non-empty) wins over one set through the API.
 */
export function resolveCatalogue(
  config: TollgateConfig,
  env: Environment,
  report: Report,
  additions?: CatalogueAdditions,
): Catalogue {
  const file = config.modelConfiguration;
  let input = file ?? EMBEDDED_MODEL_CONFIGURATION;
  if (additions) {
    const defaults: Partial<Record<keyof DefaultModels, string>> = { ...additions.defaults };
    for (const [feature, ref] of Object.entries(input.defaultModels ?? {})) {
      if (ref) defaults[feature as keyof DefaultModels] = ref;
    }
    input = {
      ...input,
      providerOverrides: [...(input.providerOverrides ?? []), ...additions.providers],
      modelOverrides: [...(input.modelOverrides ?? []), ...additions.models],
      defaultModels: defaults,
    };
  }
  return resolveModelConfiguration(input, {
    env,
    report,
    ...(file ? {} : { extraProviders: environmentProviders(env), onlyUsableBuiltins: true }),
  });
}

/** Reads and validates a config file without blocking; a missing, unreadable or huge file is a problem. */
export async function loadConfigFile(path: string, env: Environment = process.env): Promise<LoadResult> {
  const problem = (message: string): LoadResult => ({
    ok: false,
    problems: [{ path: "(root)", message, line: 0, column: 0, severity: "error" }],
  });
  try {
    const info = await stat(path);
    if (!info.isFile()) return problem(`${path} is not a file`);
    if (info.size > MAX_CONFIG_BYTES) {
      return problem(
        `${path} is ${(info.size / 1024 / 1024).toFixed(1)} MiB; config files are limited to 5 MiB`,
      );
    }
    const text = await readFile(path, "utf8");
    return loadConfig(text, { env, fileName: path });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return problem(`config file ${path} does not exist`);
    if (code === "EACCES") return problem(`config file ${path} is not readable (permission denied)`);
    return problem(`cannot read config file ${path}: ${(error as Error).message}`);
  }
}

const AMBIENT_AWS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];
const DEFAULT_POLICY = { centralKey: true, allowUserKeys: false, centralKeyFallback: false };

/** Providers the embedded default adds from the environment, beyond the built-in catalogue's. */
function environmentProviders(env: Environment): ProviderDraft[] {
  const drafts: ProviderDraft[] = [];
  if (env.OPENROUTER_API_KEY) {
    drafts.push({
      id: "openrouter",
      displayName: "OpenRouter",
      config: { type: "openrouter" },
      keyPolicy: DEFAULT_POLICY,
      builtin: true,
    });
  }
  if (env.AI_GATEWAY_API_KEY) {
    drafts.push({
      id: "vercel",
      displayName: "Vercel AI Gateway",
      config: { type: "vercel" },
      keyPolicy: DEFAULT_POLICY,
      builtin: true,
    });
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (env.AWS_BEARER_TOKEN_BEDROCK || (region && AMBIENT_AWS.some((name) => env[name]))) {
    drafts.push({
      id: "aws-bedrock",
      displayName: "AWS Bedrock",
      config: { type: "awsBedrock", ...(region ? { region } : {}) },
      keyPolicy: DEFAULT_POLICY,
      builtin: true,
    });
  }
  return drafts;
}

/**
 * The configuration `tollgate serve` runs with when there is no file (DESIGN §3): defaults for every section, the
 * built-in catalogue with the providers whose key is in the environment. Same result type as `loadConfig`.
 */
export function embeddedDefaultConfig(env: Environment = process.env): LoadResult {
  return loadConfig("{}", { env, fileName: "(embedded default)" });
}
