import { z } from "zod";
import { hashToken } from "../../auth/token.js";
import { parseRedisUrl } from "../../redis/redis-url.js";
import { decodeMasterKey, MASTER_KEY_ADVICE } from "../master-key-text.js";
import { Secret } from "../secret.js";
import {
  duration,
  nonNegativeInt,
  portNumber,
  positiveDuration,
  positiveInt,
  secret,
  strictObject,
  url,
} from "./common.js";
import { actorSourceUrl, headerSecret, httpHeaders, webhookUrl } from "./http-fields.js";
import { modelConfiguration } from "./model-configuration.js";
import { authFailures, cors } from "./server-security.js";

const SIZE = /^(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?$/i;
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** Bytes as a number or `"10MiB"`, `"512kb"`. */
const byteSize = z.union([positiveInt, z.string()]).transform((value, context) => {
  if (typeof value === "number") return value;
  const match = SIZE.exec(value.trim());
  if (!match) {
    context.addIssue({
      code: "custom",
      message: `\`${value}\` is not a size; write bytes as a number or e.g. "10MiB", "512kb"`,
    });
    return z.NEVER;
  }
  return Number(match[1]) * SIZE_UNITS[(match[2] ?? "b").toLowerCase()]!;
});

export const server = strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: portNumber.default(8080),
  // Anthropic accepts 32 MB requests; coding agents send large image-laden histories.
  bodyLimit: byteSize.default(32 * 1024 * 1024),
  /** As Fastify's `trustProxy`: true, a hop count, or addresses/CIDRs. */
  trustProxy: z.union([z.boolean(), nonNegativeInt, z.string(), z.array(z.string())]).default(false),
  shutdownTimeout: duration.default(30_000),
  authFailures: authFailures.default(authFailures.parse({})),
  cors: cors.optional(),
});

export const storage = strictObject({
  /** A Secret because a postgres URL usually carries a password. */
  url: z
    .string()
    .refine((value) => /^(sqlite:|postgres(ql)?:\/\/)/.test(value), {
      error: "expected `sqlite:PATH` or `postgres://user:password@host/database`",
    })
    .default("sqlite:.tollgate/tollgate.db")
    .transform((value) => new Secret(value)),
  /** Postgres: connecting, and waiting for a free pooled connection, gives up after this long. */
  connectTimeout: positiveDuration.default(5_000),
  /** Postgres: a query without an answer fails after this long (a silent network must not hang requests). */
  queryTimeout: positiveDuration.default(5_000),
});

export const redis = strictObject({
  url: z
    .string()
    .superRefine((value, context) => {
      const parsed = parseRedisUrl(value);
      if (!parsed.ok) context.addIssue({ code: "custom", message: parsed.message });
    })
    .transform((value) => new Secret(value)),
  keyPrefix: z.string().default("tollgate:"),
  /** Redis unreachable: `open` admits requests uncounted (and logs), `closed` refuses them with 503. */
  failMode: z.enum(["open", "closed"]).default("open"),
});

/** Checked here too, so `tollgate config check` finds a malformed key; the message never shows the value. */
export const masterKey = z
  .string()
  .refine((value) => decodeMasterKey(value) !== undefined, {
    error: `not a master key: ${MASTER_KEY_ADVICE}`,
  })
  .transform((value) => new Secret(value));

export const secrets = strictObject({
  masterKey: masterKey.optional(),
  masterKeyFile: z.string().min(1).optional(),
  /** Keys that open secrets sealed before a rotation; never used to seal. */
  previousKeys: z.array(masterKey).optional(),
}).refine((value) => !(value.masterKey && value.masterKeyFile), {
  error: "set `masterKey` or `masterKeyFile`, not both",
});

const limit = strictObject({
  requests: positiveInt.optional(),
  tokens: positiveInt.optional(),
  interval: positiveDuration.optional(),
  concurrent: positiveInt.optional(),
}).superRefine((value, context) => {
  if (value.requests === undefined && value.tokens === undefined && value.concurrent === undefined) {
    context.addIssue({
      code: "custom",
      message: "a limit needs at least one of `requests`, `tokens`, `concurrent`",
    });
  }
  if ((value.requests !== undefined || value.tokens !== undefined) && value.interval === undefined) {
    context.addIssue({
      code: "custom",
      path: ["interval"],
      message: '`requests` and `tokens` limits need an `interval` such as "1m" or "1d"',
    });
  }
});

export const featureLimits = strictObject({
  chat: limit.optional(),
  fastChat: limit.optional(),
  codeCompletion: limit.optional(),
  embeddings: limit.optional(),
  "*": limit.optional(),
});

const SHA256 = /^[0-9a-f]{64}$/;

/** Plaintext tokens are hashed at load so the process never keeps them. */
const token = z.union(
  [
    z
      .string()
      .min(1)
      // hashToken: a legacy `sgs_` Cody token is kept in its `slk_` form, as it is looked up.
      .transform((value) => ({ sha256: hashToken(value) })),
    strictObject({
      sha256: z
        .string()
        .transform((value) => value.toLowerCase())
        .refine((value) => SHA256.test(value), { error: "expected 64 hexadecimal characters" }),
    }),
  ],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: `${ENV_VAR}` is shown literally to the user.
  { error: 'a token is a string (usually "${ENV_VAR}") or `{ "sha256": "<64 hex characters>" }`' },
);

export const budget = strictObject({
  usd: z.number().positive(),
  period: z.enum(["day", "week", "month"]),
});

export const actorId = z
  .string()
  .regex(/^[A-Za-z0-9._-]+$/, { error: "actor ids may contain letters, digits, `.`, `_` and `-`" })
  .max(128);

export const actor = strictObject({
  id: actorId,
  name: z.string().optional(),
  role: z.enum(["admin", "readonly", "user"]).default("user"),
  status: z.enum(["active", "disabled"]).default("active"),
  tokens: z.array(token).default([]),
  allowedModels: z.array(z.string().min(1)).optional(),
  limits: featureLimits.optional(),
  budget: budget.optional(),
});

/** An external actor source (docs/actor-sources.md): looked up on a cache miss, synced whole on an interval. */
export const actorSource = strictObject({
  id: actorId,
  url: actorSourceUrl,
  /** Sent as the `Authorization` header, e.g. `"Bearer ${SOURCE_TOKEN}"`. */
  authorization: headerSecret.optional(),
  /** Further request headers; values are secrets (API keys often travel in headers). */
  headers: httpHeaders.optional(),
  syncInterval: duration.default(5 * 60_000),
  /** How long actors from a successful sync or lookup keep working while the source is unreachable. */
  maxStaleness: duration.default(3_600_000),
  timeout: duration.default(10_000),
});

function checkActorList(actors: ActorConfig[], context: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  const tokens = new Map<string, string>();
  actors.forEach((entry, index) => {
    const first = seen.get(entry.id);
    if (first !== undefined) {
      context.addIssue({
        code: "custom",
        path: [index, "id"],
        message: `actor id \`${entry.id}\` is already used by actors[${first}]`,
      });
    } else seen.set(entry.id, index);
    entry.tokens.forEach((value, tokenIndex) => {
      const owner = tokens.get(value.sha256);
      if (owner !== undefined && owner !== entry.id) {
        context.addIssue({
          code: "custom",
          path: [index, "tokens", tokenIndex],
          message: `this token is also a token of actor \`${owner}\`; a token identifies exactly one actor`,
        });
      }
      tokens.set(value.sha256, entry.id);
    });
  });
}

const actorList = z.array(actor).superRefine(checkActorList);

const actorsObject = strictObject({
  list: actorList.default([]),
  sources: z
    .array(actorSource)
    .default([])
    .superRefine((sources, context) => {
      const seen = new Map<string, number>();
      sources.forEach((source, index) => {
        const first = seen.get(source.id);
        if (first !== undefined) {
          context.addIssue({
            code: "custom",
            path: [index, "id"],
            message: `source id \`${source.id}\` is already used by sources[${first}]`,
          });
        } else seen.set(source.id, index);
      });
    }),
});

export interface ActorsSection {
  list: ActorConfig[];
  sources: ActorSourceConfig[];
}

/**
 * `actors` is either the list of actors (DESIGN §4) or `{ "list": [...], "sources": [...] }`; both load
 * into the object form. Dispatching on the shape (rather than a zod union) keeps the messages of the
 * form the user wrote instead of "invalid input".
 */
const actorsSection = z.unknown().transform((value, context): ActorsSection => {
  if (value === null || typeof value !== "object") {
    context.addIssue({
      code: "custom",
      message: 'expected a list of actors, or an object `{ "list": [...], "sources": [...] }`',
    });
    return z.NEVER;
  }
  const parsed = Array.isArray(value) ? actorList.safeParse(value) : actorsObject.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      context.addIssue(issue as Parameters<typeof context.addIssue>[0]);
    return z.NEVER;
  }
  return Array.isArray(parsed.data) ? { list: parsed.data, sources: [] } : (parsed.data as ActorsSection);
}) as unknown as z.ZodType<ActorsSection, z.input<typeof actorList> | z.input<typeof actorsObject>>;

const timeZone = z.string().refine(
  (value) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: value });
      return true;
    } catch {
      return false;
    }
  },
  {
    error: (issue) => `\`${String(issue.input)}\` is not an IANA time zone such as "UTC" or "Europe/Berlin"`,
  },
);

export const limits = strictObject({
  defaults: featureLimits.optional(),
  timeZone: timeZone.default("UTC"),
  failMode: z.enum(["open", "closed"]).optional(),
  /**
   * How long a concurrency slot lives without renewal: a replica renews its slots while their
   * requests run, so this is how soon a crashed replica's slots return.
   */
  concurrencyLease: positiveDuration.default(30_000),
});

export const notificationWebhook = strictObject({
  url: webhookUrl,
  /** Signs each delivery (HMAC-SHA256); never logged. */
  secret,
  /** Event types sent to this webhook; absent means all. */
  events: z
    .array(z.enum(["quota.threshold"]))
    .min(1)
    .optional(),
});

export const notifications = strictObject({
  /** Percent of a budget or token quota whose passing fires a notification, once per period each. */
  thresholds: z
    .array(z.number().positive().max(1000))
    .default([50, 80, 90, 100])
    .transform((values) => [...new Set(values)].sort((a, b) => a - b)),
  webhooks: z.array(notificationWebhook).default([]),
  /** Tries per delivery, the first included; then the notification is a dead letter. */
  attempts: positiveInt.default(5),
  /** Wait before the first retry, doubled for each further one (5 tries: 4 + 8 + 16 + 32 s). */
  retryDelay: positiveDuration.default(4_000),
  timeout: positiveDuration.default(10_000),
});

export const usage = strictObject({
  batchSize: positiveInt.default(500),
  flushInterval: positiveDuration.default(1_000),
  /** Events held in memory while the store is slow; past it new events are dropped (and counted). */
  queueSize: positiveInt.default(10_000),
  retention: duration.default(90 * 86_400_000),
  notifications: notifications.default(notifications.parse({})),
});

export const telemetry = strictObject({
  logging: strictObject({
    level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  }).default({ level: "info" }),
  metrics: strictObject({
    enabled: z.boolean().default(true),
    token: secret
      .refine((token) => !token.isEmpty, "must not be empty; leave it out to serve /metrics without a token")
      .optional(),
    /** One series per actor: fine for tens of teams, too many for thousands of users. */
    actorLabels: z.boolean().default(false),
  }).default({ enabled: true, actorLabels: false }),
  tracing: strictObject({
    enabled: z.boolean().default(false),
    endpoint: url.optional(),
    serviceName: z.string().min(1).default("tollgate"),
    sampleRatio: z.number().min(0).max(1).default(1),
  }).default({ enabled: false, serviceName: "tollgate", sampleRatio: 1 }),
});

/** How the gateway treats its upstreams (README "Reliability"). */
export const upstream = strictObject({
  /**
   * Per endpoint and model, in each replica's memory: `failures` consecutive upstream faults (5xx, 529,
   * timeouts, connection failures; not 429 or the caller's 4xx) stop requests to it for `coolDown`, then one
   * probe request decides. Off (`enabled: false`): every request is tried.
   */
  circuitBreaker: strictObject({
    enabled: z.boolean().default(true),
    failures: positiveInt.default(5),
    coolDown: positiveDuration.default(30_000),
  }).default({ enabled: true, failures: 5, coolDown: 30_000 }),
});

export const TOLLGATE_SECTIONS = [
  "server",
  "storage",
  "redis",
  "secrets",
  "modelConfiguration",
  "actors",
  "limits",
  "usage",
  "telemetry",
  "upstream",
] as const;

export const tollgateConfig = strictObject({
  $schema: z.string().optional(),
  server: server.default(server.parse({})),
  storage: storage.default(storage.parse({})),
  redis: redis.optional(),
  secrets: secrets.optional(),
  modelConfiguration: modelConfiguration.optional(),
  actors: actorsSection.default(() => ({ list: [], sources: [] })),
  limits: limits.default(limits.parse({})),
  usage: usage.default(usage.parse({})),
  telemetry: telemetry.default(telemetry.parse({})),
  upstream: upstream.default(upstream.parse({})),
});

export type TollgateConfigInput = z.input<typeof tollgateConfig>;
export type TollgateConfig = z.output<typeof tollgateConfig>;
export type Actor = z.output<typeof actor>;
export type ActorConfig = z.output<typeof actor>;
export type ActorSourceConfig = z.output<typeof actorSource>;
export type Budget = z.output<typeof budget>;
export type FeatureLimits = z.output<typeof featureLimits>;
export type Limit = z.output<typeof limit>;
export type NotificationsConfig = z.output<typeof notifications>;
