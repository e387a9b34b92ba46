import { type LoadedConfig, redactSecretsInText } from "../config/index.js";
import type { CredentialResolver } from "../credentials/credential-resolver.js";
import { describeStore } from "./config-source.js";

/** What `tollgate serve` says once it listens: the facts an operator checks first. */
export interface StartupFacts {
  url: string;
  config: string;
  store: string;
  limits: string;
  providers: { id: string; type: string; credentials: string; available: boolean; reason?: string }[];
  models: { available: number; total: number };
  defaults: { chat: string | null; fastChat: string | null; codeCompletion: string | null };
  /** Worker processes on the one port (`serve --workers N`, N > 1). */
  workers?: number;
}

/**
 * `credentials`, the running gateway's, knows the central keys set through the admin API: a provider the file
 * gives no key may be served by one, and is then shown as such.
 */
export function startupFacts(
  url: string,
  config: string,
  loaded: LoadedConfig,
  cwd: string,
  credentials?: Pick<CredentialResolver, "central" | "hasStoredCentralKey">,
): StartupFacts {
  const { catalogue } = loaded;
  const redis = loaded.config.redis;
  return {
    url,
    config,
    // The store's own redaction misses a `?password=` (libpq reads one); this one does not.
    store: redactSecretsInText(describeStore(loaded.config.storage.url.reveal(), cwd)),
    limits: redis
      ? `Redis ${redactSecretsInText(redis.url.reveal())} (prefix ${redis.keyPrefix})`
      : "in memory (one replica)",
    providers: catalogue.providers.map((provider) => {
      const central = credentials?.hasStoredCentralKey(provider.id)
        ? credentials.central(provider)
        : undefined;
      if (central && "credential" in central && provider.blockedReason === undefined) {
        const credential = central.credential;
        return {
          id: provider.id,
          type: provider.type,
          credentials: `${credential.mode} (set through the admin API)`,
          available: true,
        };
      }
      return {
        id: provider.id,
        type: provider.type,
        credentials:
          provider.credentialMode + (provider.credentialSource ? ` (${provider.credentialSource})` : ""),
        available: provider.available,
        ...(provider.unavailableReason ? { reason: provider.unavailableReason } : {}),
      };
    }),
    models: {
      available: catalogue.models.filter((model) => model.available).length,
      total: catalogue.models.length,
    },
    defaults: {
      chat: catalogue.defaults.chat ?? null,
      fastChat: catalogue.defaults.fastChat ?? null,
      codeCompletion: catalogue.defaults.codeCompletion ?? null,
    },
  };
}

/** The summary for a person at a terminal: a few aligned lines. */
export function formatStartupSummary(facts: StartupFacts): string {
  const providerLines =
    facts.providers.length === 0
      ? ["  (none: set a provider key such as OPENAI_API_KEY or ANTHROPIC_API_KEY, or use a config file)"]
      : facts.providers.map(
          (provider) =>
            `  ${provider.id.padEnd(16)} ${provider.type.padEnd(16)} ${provider.available ? "ready" : "unavailable"}  ${provider.credentials}${provider.reason ? ` — ${provider.reason}` : ""}`,
        );
  const lines = [
    "",
    `Tollgate is listening on ${facts.url}`,
    `  config     ${facts.config}`,
    `  store      ${facts.store}`,
    `  limits     ${facts.limits}`,
    ...(facts.workers === undefined ? [] : [`  workers    ${facts.workers} processes on one port`]),
    `  models     ${facts.models.available} available of ${facts.models.total}`,
    `  defaults   chat ${facts.defaults.chat ?? "(none)"}, fastChat ${facts.defaults.fastChat ?? "(none)"}, codeCompletion ${facts.defaults.codeCompletion ?? "(none)"}`,
    "providers:",
    ...providerLines,
    "",
  ];
  return `${lines.join("\n")}\n`;
}
