// biome-ignore-all lint/suspicious/noTemplateCurlyInString: descriptions show `${NAME}` references literally.
import { z } from "zod";
import { formatDuration } from "../duration.js";
import {
  concreteString,
  duration,
  portNumber,
  positiveDuration,
  secret,
  strictObject,
  url,
} from "./common.js";
import { DERIVED_INPUTS } from "./http-fields.js";
import {
  modelConfiguration,
  modelOptions,
  modelOverride,
  pricing,
  providerOverride,
  selfHostedModel,
} from "./model-configuration.js";
import { authFailures, cors } from "./server-security.js";
import {
  actor,
  actorSource,
  budget,
  featureLimits,
  limits,
  masterKey,
  notifications,
  notificationWebhook,
  redis,
  secrets,
  server,
  storage,
  telemetry,
  tollgateConfig,
  usage,
} from "./tollgate.js";

type JSONSchema = z.core.JSONSchema.BaseSchema;

/** Where `npm run schema` writes the schema, relative to the repository root. */
export const CONFIG_SCHEMA_FILE = "schema/tollgate.schema.json";

// The schema describes the file as written, before `${NAME}` references are expanded, so a string that holds one
// may be anything: a pattern below accepts it and leaves the expanded value to `tollgate config check`.
const INTERPOLATED = "\\$\\{";

/** As `parseDuration` (which trims first). */
export const DURATION_PATTERN = `^\\s*\\d+(?:\\.\\d+)?(?:ms|s|m|h|d)\\s*$|${INTERPOLATED}`;
/** As the `byteSize` regex in tollgate.ts, which is case-insensitive; JSON Schema patterns have no flags. */
export const SIZE_PATTERN = `^\\s*\\d+\\s*(?:[bB]|[kKmMgG][iI]?[bB])?\\s*$|${INTERPOLATED}`;
/** As `decodeMasterKey`: 32 bytes in base64 or base64url. */
export const MASTER_KEY_PATTERN = `^\\s*(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?\\s*$|${INTERPOLATED}`;
/** As `findPlaceholder`: `<ARN>`, `<VPC Endpoint URL>` pasted from documentation. */
export const PLACEHOLDER_PATTERN = "<[A-Za-z][A-Za-z0-9 _-]*>";

const DURATION_TEXT = 'A duration: <number><unit> with unit ms, s, m, h or d, e.g. "30s", "1m", "1d".';
const NOT_PLACEHOLDER: JSONSchema = { not: { pattern: PLACEHOLDER_PATTERN } };

/**
 * `actors` is parsed by a hand-written dispatch (a list, or `{ list, sources }`) that zod sees as `unknown`; the
 * schema describes the two forms it accepts instead. Keep the keys in step with `actorsObject` in tollgate.ts.
 */
const actorsInput = z.union([
  z.array(actor),
  strictObject({ list: z.array(actor).optional(), sources: z.array(actorSource).optional() }),
]);

const documentSchema = tollgateConfig.extend({ actors: actorsInput.optional() });

const byteSize = server.shape.bodyLimit.unwrap();
const limit = featureLimits.shape.chat.unwrap();
const tokenHash = actor.shape.tokens.unwrap().element.options[1].shape.sha256;

/** Replaces what zod derived with a schema of the input the user writes. */
const replace = (by: JSONSchema) => (json: JSONSchema) => {
  for (const key of Object.keys(json)) delete json[key];
  Object.assign(json, by);
};

/**
 * Types whose input zod cannot describe (transforms, preprocessing, refinements): what each looks like in the
 * file. Keyed by schema identity, reached through the exported schemas, so a renamed key fails to compile.
 */
const INPUTS = new Map<z.core.$ZodType, (json: JSONSchema) => void>([
  [duration, replace({ type: "string", pattern: DURATION_PATTERN, description: DURATION_TEXT })],
  [
    positiveDuration,
    replace({ type: "string", pattern: DURATION_PATTERN, description: `${DURATION_TEXT} Longer than zero.` }),
  ],
  [
    byteSize,
    replace({
      anyOf: [
        { type: "integer", exclusiveMinimum: 0 },
        { type: "string", pattern: SIZE_PATTERN },
      ],
      description:
        'A size: bytes as a number, or a string with unit b, kb, kib, mb, mib, gb or gib, e.g. "32MiB".',
    }),
  ],
  [
    portNumber,
    replace({
      anyOf: [
        { type: "integer", minimum: 0, maximum: 65535 },
        { type: "string", pattern: `^\\d+$|${INTERPOLATED}` },
      ],
    }),
  ],
  [
    secret,
    replace({
      type: "string",
      ...NOT_PLACEHOLDER,
      description:
        'A credential. Write a reference such as "${ANTHROPIC_API_KEY}" rather than the value itself.',
    }),
  ],
  [
    url,
    replace({ type: "string", pattern: `^[hH][tT][tT][pP][sS]?://|${INTERPOLATED}`, ...NOT_PLACEHOLDER }),
  ],
  [concreteString, replace({ type: "string", ...NOT_PLACEHOLDER })],
  [
    masterKey,
    replace({
      type: "string",
      pattern: MASTER_KEY_PATTERN,
      description:
        'A master key: 32 random bytes in base64 (`openssl rand -base64 32` or `tollgate secrets generate-key`). Write a reference such as "${MASTER_KEY}" rather than the value itself.',
    }),
  ],
  [
    storage.shape.url,
    (json) => Object.assign(json, { pattern: `^(?:sqlite:|postgres(?:ql)?://)|${INTERPOLATED}` }),
  ],
  [redis.shape.url, (json) => Object.assign(json, { pattern: `^rediss?://|${INTERPOLATED}` })],
  [tokenHash, (json) => Object.assign(json, { pattern: `^[0-9a-fA-F]{64}$|${INTERPOLATED}` })],
  [secrets, (json) => Object.assign(json, { not: { required: ["masterKey", "masterKeyFile"] } })],
  [
    limit,
    (json) =>
      Object.assign(json, {
        anyOf: [{ required: ["requests"] }, { required: ["tokens"] }, { required: ["concurrent"] }],
        dependentRequired: { requests: ["interval"], tokens: ["interval"] },
      }),
  ],
]);

for (const [schema, base] of DERIVED_INPUTS) {
  const input = INPUTS.get(base);
  if (input) INPUTS.set(schema, input);
}

const DESCRIPTIONS = new Map<z.core.$ZodType, string>([
  [tollgateConfig.shape.$schema, "The JSON Schema editors check this file against; Tollgate ignores it."],
  [tollgateConfig.shape.server, "The HTTP listener."],
  [server.shape.host, "The address to listen on."],
  [server.shape.port, "The TCP port to listen on."],
  [server.shape.bodyLimit, "The largest request body accepted. Default 32 MiB, as Anthropic accepts."],
  [server.shape.trustProxy, "As Fastify's `trustProxy`: true, a hop count, or addresses/CIDRs."],
  [server.shape.shutdownTimeout, "How long a stop waits for the requests in flight."],
  [
    server.shape.authFailures,
    "Failed authentication (a missing, unknown, revoked or expired token) per client address, counted in each replica's memory: after `limit` failures within `window`, that address gets 429 with Retry-After until the window ends, without its token being checked. The address honours `trustProxy`.",
  ],
  [authFailures.shape.limit, "Failures allowed per window and address; 0 turns the check off."],
  [
    server.shape.cors,
    "Browser access (CORS). Without it no CORS headers are sent and browsers refuse cross-origin calls.",
  ],
  [
    cors.shape.origins,
    'The origins allowed to call the gateway from a browser, exactly as browsers send them, e.g. "https://app.example.com". No wildcard.',
  ],
  [cors.shape.maxAge, "How long a browser may cache a preflight's answer."],
  [tollgateConfig.shape.storage, "The database of actors, tokens and usage."],
  [
    storage.shape.url,
    "`sqlite:PATH` (relative to the working directory) or `postgres://user:password@host/database` (optionally `?schema=NAME`). Kept as a secret: a postgres URL usually carries a password.",
  ],
  [
    storage.shape.connectTimeout,
    "Postgres: how long connecting, or waiting for a free pooled connection, may take before the store counts as unreachable (a request with an uncached token gets a 503).",
  ],
  [
    storage.shape.queryTimeout,
    "Postgres: how long a query may go unanswered (also the server's `statement_timeout`); migrations are exempt. A store that drops packets costs a request with an uncached token at most this long, then a 503.",
  ],
  [
    tollgateConfig.shape.redis,
    "Limit counters shared by every replica. Without it, limits are kept in memory (one replica).",
  ],
  [redis.shape.url, "`redis://host:6379` or `rediss://…`; kept as a secret."],
  [redis.shape.keyPrefix, "Prefix of every key Tollgate writes."],
  [
    redis.shape.failMode,
    "Redis unreachable: `open` admits requests uncounted (and logs), `closed` refuses them with 503.",
  ],
  [
    tollgateConfig.shape.secrets,
    "The master key that encrypts the provider keys kept in the store (central keys set through the admin API, users' own keys). Without one: `TOLLGATE_MASTER_KEY`, else a key generated into `master.key` beside a SQLite database; with Postgres, keys cannot be stored.",
  ],
  [secrets.shape.masterKey, "The key that seals, and opens, stored provider keys."],
  [
    secrets.shape.masterKeyFile,
    "A file holding the master key in base64 (e.g. a mounted secret), relative to the working directory; instead of `masterKey`.",
  ],
  [
    secrets.shape.previousKeys,
    "Older master keys that still open secrets sealed with them, during a rotation: `tollgate secrets rotate` re-seals those with the current key, after which they can go.",
  ],
  [
    tollgateConfig.shape.modelConfiguration,
    "Providers and models, in Sourcegraph Cody's `modelConfiguration` format. Without it, the built-in catalogue for the providers whose key is in the environment.",
  ],
  [
    modelConfiguration.shape.sourcegraph,
    "An object turns the built-in catalogue on (optionally filtered); `null` turns it off.",
  ],
  [modelConfiguration.shape.providerOverrides, "Providers: an upstream, its credentials and key policy."],
  [
    modelConfiguration.shape.modelOverrides,
    "Models, each on a provider; a ref of the built-in catalogue is replaced.",
  ],
  [
    modelConfiguration.shape.modelOverridesRecommendedSettings,
    "Deprecated by Cody in favour of `selfHostedModels`; accepted with a warning.",
  ],
  [
    modelConfiguration.shape.selfHostedModels,
    "Cody's predefined self-hosted models on an OpenAI-compatible provider.",
  ],
  [
    modelConfiguration.shape.defaultModels,
    "The model refs (`provider::apiVersion::modelId`) used by default per feature.",
  ],
  [
    providerOverride.shape.keyPolicy,
    "Whose key calls the provider: the central key, users' own keys, or both.",
  ],
  [modelOverride.shape.modelRef, "`provider::apiVersion::modelId`."],
  [
    modelOverride.shape.modelName,
    "The model's name at the provider, when it differs from the ref's model id.",
  ],
  [modelOverride.shape.options, "Sampling and provider-specific options applied to every request."],
  [modelOverride.shape.pricing, "Prices in USD per million tokens, for budgets and usage."],
  [selfHostedModel.shape.provider, "The id of an `openaicompatible` provider in `providerOverrides`."],
  [pricing.shape.cacheRead, "USD per million input tokens read from the provider's prompt cache."],
  [pricing.shape.cacheWrite, "USD per million input tokens written to the provider's prompt cache."],
  [modelOptions.shape.thinkingBudgetTokens, "Anthropic: extended-thinking budget in tokens."],
  [modelOptions.shape.effort, "Anthropic: output effort."],
  [modelOptions.shape.reasoningEffort, "OpenAI: reasoning effort."],
  [
    tollgateConfig.shape.actors,
    "The callers declared in this file: a list of actors, or `{ list, sources }` to add external actor sources (docs/actor-sources.md).",
  ],
  [
    actor.shape.role,
    "`admin` may do everything, `readonly` may read the admin API, `user` may call the model routes.",
  ],
  [
    actor.shape.tokens,
    'Plaintext tokens (usually "${TEAM_TOKEN}"), hashed at load, or `{ "sha256": "<64 hex characters>" }`.',
  ],
  [actor.shape.allowedModels, "Globs over model refs, e.g. `anthropic::*`; absent means every model."],
  [actor.shape.limits, "Per feature; `*` is a template that each feature counts on its own."],
  [actor.shape.budget, "Spending limit across all features, priced with the models' `pricing`."],
  [budget.shape.period, "Calendar-aligned in `limits.timeZone`."],
  [limit.shape.requests, "Requests per `interval`."],
  [limit.shape.tokens, "Input plus output tokens per `interval`."],
  [limit.shape.concurrent, "Requests in flight at once; more are refused, not queued."],
  [actorSource.shape.authorization, 'Sent as the `Authorization` header, e.g. "Bearer ${SOURCE_TOKEN}".'],
  [actorSource.shape.headers, "Further request headers; values are secrets."],
  [actorSource.shape.syncInterval, "How often the whole source is synced."],
  [
    actorSource.shape.maxStaleness,
    "How long actors from a successful sync or lookup keep working while the source is unreachable.",
  ],
  [tollgateConfig.shape.limits, "Limits of actors without their own, and how limits are kept."],
  [limits.shape.defaults, "The limits of actors without their own, in the shape of an actor's `limits`."],
  [limits.shape.timeZone, 'IANA time zone of budget periods, e.g. "UTC", "Europe/Berlin".'],
  [limits.shape.failMode, "Overrides `redis.failMode`."],
  [
    limits.shape.concurrencyLease,
    "How long a concurrency slot lives without renewal: how soon a crashed replica's slots return.",
  ],
  [
    tollgateConfig.shape.usage,
    "Usage events: one per client request, written in batches off the request path, kept for `retention`.",
  ],
  [usage.shape.batchSize, "Events per database write; a full batch is written at once."],
  [usage.shape.flushInterval, "The longest an event waits in memory before it is written."],
  [
    usage.shape.queueSize,
    "Events held in memory while the database is slow or down; past it new events are dropped and counted.",
  ],
  [
    usage.shape.retention,
    'How long usage events are kept, e.g. "90d" (0: for ever); older ones are deleted hourly.',
  ],
  [
    usage.shape.notifications,
    "Quota notifications: a signed `quota.threshold` webhook when an actor passes a threshold of its budget or of a feature's token quota, once per period per threshold across replicas.",
  ],
  [
    notifications.shape.thresholds,
    "Percent of a budget or token quota whose passing is notified, e.g. [50, 80, 90, 100]; each once per period.",
  ],
  [notifications.shape.webhooks, "Where notifications are posted as JSON; none: nothing is watched."],
  [notificationWebhook.shape.url, "The receiver's http:// or https:// URL; only its origin is ever logged."],
  [
    notificationWebhook.shape.secret,
    'Signs each delivery: `X-Tollgate-Signature: sha256=<hex HMAC-SHA256 of "<X-Tollgate-Timestamp>.<body>">`. Never logged.',
  ],
  [notificationWebhook.shape.events, 'Event types sent to this webhook (`"quota.threshold"`); absent: all.'],
  [
    notifications.shape.attempts,
    "Tries per delivery, the first included; after the last, a dead letter logged at error.",
  ],
  [notifications.shape.retryDelay, "Wait before the first retry, doubled for each further one."],
  [notifications.shape.timeout, "How long one try may take, connecting to the whole answer."],
  [tollgateConfig.shape.telemetry, "Logging, metrics and tracing."],
  [
    telemetry.shape.metrics,
    "Prometheus metrics at GET /metrics (Prometheus text; names start with `tollgate_`). `enabled: false` removes the route and collects nothing.",
  ],
  [
    telemetry.shape.metrics.unwrap().shape.token,
    "When set, /metrics needs `Authorization: Bearer <token>`; without it, /metrics needs no token.",
  ],
  [
    telemetry.shape.metrics.unwrap().shape.actorLabels,
    "Adds an `actor` label to the request, token, cost and refusal counters: one series per actor, so keep it off with many actors.",
  ],
  [
    telemetry.shape.tracing,
    "OpenTelemetry tracing: a server span per request with children for authentication, admission and the upstream call, exported with OTLP over HTTP. Every answer carries `x-trace` and `x-span` whether or not spans are exported.",
  ],
  [
    telemetry.shape.tracing.unwrap().shape.enabled,
    "Export spans to `endpoint`. Without it, OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) in the environment turns export on.",
  ],
  [
    telemetry.shape.tracing.unwrap().shape.endpoint,
    'The OTLP/HTTP collector, e.g. "http://otel-collector:4318" (`/v1/traces` is appended unless present); default http://localhost:4318.',
  ],
  [telemetry.shape.tracing.unwrap().shape.serviceName, "The `service.name` of the exported spans."],
  [
    telemetry.shape.tracing.unwrap().shape.sampleRatio,
    "Share of new traces recorded, 0 to 1; a trace continued from a caller's `traceparent` follows the caller's sampled flag.",
  ],
]);

/**
 * `duration.default(30_000)` keeps the parsed milliseconds; zod drops defaults of transforming schemas from an
 * input schema, so the default is written back as the user would write it.
 */
function inputDefault(schema: z.core.$ZodType): unknown {
  if (!(schema instanceof z.ZodDefault)) return undefined;
  const inner = schema.def.innerType;
  const value: unknown = schema.def.defaultValue;
  if ((inner === duration || inner === positiveDuration) && typeof value === "number")
    return formatDuration(value);
  if (inner === portNumber || inner === byteSize) return value;
  return undefined;
}

/** The JSON Schema (draft 2020-12) of the config file as the user writes it. */
export function tollgateJsonSchema(): JSONSchema {
  const generated = z.toJSONSchema(documentSchema, {
    target: "draft-2020-12",
    // The input side: keys with defaults are optional, transforms are described by what they accept.
    io: "input",
    unrepresentable: "throw",
    override: ({ zodSchema, jsonSchema }) => {
      INPUTS.get(zodSchema)?.(jsonSchema);
      const fallback = inputDefault(zodSchema);
      if (fallback !== undefined) jsonSchema.default = fallback;
      // A field's own text comes first; its type's (a duration's format, say) is kept after it.
      const description = DESCRIPTIONS.get(zodSchema);
      if (description !== undefined) {
        jsonSchema.description =
          jsonSchema.description === undefined ? description : `${description} ${jsonSchema.description}`;
      }
    },
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: "Tollgate configuration",
    description:
      "tollgate.jsonc: JSON with comments and trailing commas. Any string may read the environment with ${NAME} or ${NAME:-default}. Check a file with `tollgate config check FILE`.",
    ...rest,
  };
}

/** The schema as JSON text; the script then formats the file with Biome, as `npm run lint` expects. */
export function renderTollgateJsonSchema(): string {
  return `${JSON.stringify(tollgateJsonSchema(), null, 2)}\n`;
}
