import { describe, expect, test } from "vitest";
import { embeddedDefaultConfig, type LoadResult, loadConfig, type Problem } from "../index.js";

// biome-ignore lint/suspicious/noExplicitAny: cases edit the config document loosely; loadConfig validates it.
type Config = Record<string, any>;

/** A valid config with every feature that works, so a case adds exactly one pending key. */
function base(): Config {
  return {
    server: { trustProxy: true },
    telemetry: { logging: { level: "warn" } },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "acme",
          serverSideConfig: { type: "openai", accessToken: "k" },
          keyPolicy: { centralKey: true, allowUserKeys: false },
          defaultModelConfig: { options: { temperature: 0.2 } },
        },
      ],
      modelOverrides: [
        {
          modelRef: "acme::v1::m",
          capabilities: ["chat", "autocomplete"],
          contextWindow: { maxInputTokens: 1000, maxOutputTokens: 100 },
          options: { reasoningEffort: "low" },
          timeouts: { firstByte: "30s" },
        },
      ],
      defaultModels: { chat: "acme::v1::m", fastChat: "acme::v1::m", codeCompletion: "acme::v1::m" },
    },
  };
}

const providers = (config: Config) => config.modelConfiguration.providerOverrides as Config[];
const models = (config: Config) => config.modelConfiguration.modelOverrides as Config[];

function load(config: Config, env: Record<string, string> = {}): LoadResult & { ok: true } {
  const result = loadConfig(JSON.stringify(config, null, 2), { env });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result;
}

const PENDING = /does nothing yet|not implemented yet/;
const pending = (warnings: Problem[]) => warnings.filter((warning) => PENDING.test(warning.message));

const addProvider = (config: Config, provider: Config, model = true) => {
  providers(config).push(provider);
  if (model) models(config).push({ modelRef: `${provider.id}::v1::x`, capabilities: ["chat"] });
};

/** Each case writes pending keys into `base()`; `paths` are the warnings it must yield, in file order. */
const cases: { name: string; write: (config: Config) => void; paths: string[]; mentions?: string[] }[] = [
  {
    name: "sourcegraph.accessToken and endpoint (Cody Gateway)",
    write: (c) => (c.modelConfiguration.sourcegraph = { endpoint: "https://cody.example", accessToken: "t" }),
    paths: ["modelConfiguration.sourcegraph.endpoint", "modelConfiguration.sourcegraph.accessToken"],
  },
  {
    name: "enableVerboseLogs: true",
    write: (c) =>
      addProvider(c, {
        id: "local",
        serverSideConfig: {
          type: "openaicompatible",
          endpoints: [{ url: "http://localhost:8000/v1" }],
          enableVerboseLogs: true,
        },
      }),
    paths: ["modelConfiguration.providerOverrides[1].serverSideConfig.enableVerboseLogs"],
  },
  {
    name: "options.parallelToolCalls on a model and on defaultModelConfig",
    write: (c) => {
      models(c)[0]!.options.parallelToolCalls = false;
      providers(c)[0]!.defaultModelConfig.options.parallelToolCalls = true;
    },
    paths: [
      "modelConfiguration.providerOverrides[0].defaultModelConfig.options.parallelToolCalls",
      "modelConfiguration.modelOverrides[0].options.parallelToolCalls",
    ],
  },
  {
    name: "options.reasoningEnabled",
    write: (c) => {
      providers(c)[0]!.serverSideConfig.type = "openrouter";
      models(c)[0]!.options = { reasoningEnabled: true };
    },
    paths: ["modelConfiguration.modelOverrides[0].options.reasoningEnabled"],
  },
  {
    name: "contextWindow.maxUserInputTokens on a model and a self-hosted model",
    write: (c) => {
      models(c)[0]!.contextWindow.maxUserInputTokens = 500;
      addProvider(
        c,
        {
          id: "bigcode",
          serverSideConfig: { type: "openaicompatible", endpoints: [{ url: "http://sc:8000" }] },
        },
        false,
      );
      c.modelConfiguration.selfHostedModels = [
        {
          provider: "bigcode",
          model: "starcoder2-7b@v1",
          override: { contextWindow: { maxInputTokens: 9, maxOutputTokens: 9, maxUserInputTokens: 5 } },
        },
      ];
    },
    paths: [
      "modelConfiguration.modelOverrides[0].contextWindow.maxUserInputTokens",
      "modelConfiguration.selfHostedModels[0].override.contextWindow.maxUserInputTokens",
    ],
  },
  {
    name: "azureOpenAI without accessToken (Entra ID)",
    write: (c) =>
      addProvider(c, {
        id: "az",
        serverSideConfig: { type: "azureOpenAI", endpoint: "https://az.openai.azure.com" },
      }),
    paths: ["modelConfiguration.providerOverrides[1].serverSideConfig"],
    mentions: ["`az`", "Entra ID"],
  },
];

describe("pending features", () => {
  test("the base config has no pending keys", () => {
    expect(pending(load(base()).warnings)).toEqual([]);
  });

  test.each(cases)("$name: one warning per key, at the key", ({ write, paths, mentions }) => {
    const config = base();
    write(config);
    const warnings = pending(load(config).warnings);
    expect(warnings.map((warning) => warning.path)).toEqual(paths);
    for (const warning of warnings) {
      expect(warning.severity).toBe("warning");
      expect(warning.line).toBeGreaterThan(1);
      expect(warning.column).toBeGreaterThan(1);
    }
    for (const mention of mentions ?? []) expect(warnings[0]!.message).toContain(mention);
  });

  test("keys are shown at the key's line and column", () => {
    const text =
      '{\n  "modelConfiguration": {\n    "sourcegraph": { "endpoint": "https://cody.example" }\n  },\n  "usage": { "retention": "7d" }\n}';
    const result = loadConfig(text, { env: {} });
    expect(result.ok && pending(result.warnings)).toEqual([
      {
        path: "modelConfiguration.sourcegraph.endpoint",
        message:
          "does nothing yet: the built-in catalogue's models are served with each provider's own key; to reach Cody Gateway, add a provider of type `sourcegraph` to providerOverrides",
        line: 3,
        column: 22,
        severity: "warning",
      },
    ]);
  });

  test("values that ask for nothing do not warn", () => {
    const config = base();
    config.telemetry.metrics = { enabled: false };
    config.telemetry.tracing = { enabled: false, sampleRatio: 0.5 };
    config.usage = {};
    config.modelConfiguration.sourcegraph = null;
    providers(config)[0]!.keyPolicy = { centralKey: true, allowUserKeys: false, centralKeyFallback: false };
    addProvider(config, {
      id: "local",
      serverSideConfig: {
        type: "openaicompatible",
        endpoints: [{ url: "http://l:1" }],
        enableVerboseLogs: false,
      },
    });
    addProvider(config, {
      id: "az",
      serverSideConfig: { type: "azureOpenAI", endpoint: "https://az.openai.azure.com", accessToken: "k" },
    });
    // Cody Gateway (or a Tollgate upstream) is served since the sourcegraph adapter landed.
    addProvider(config, { id: "anthropic", serverSideConfig: { type: "sourcegraph", accessToken: "k" } });
    expect(pending(load(config).warnings)).toEqual([]);
  });

  test("a provider of a pending type or credential mode is unavailable, with the reason", () => {
    for (const provider of [
      { id: "az", serverSideConfig: { type: "azureOpenAI", endpoint: "https://az.openai.azure.com" } },
    ]) {
      const config = base();
      addProvider(config, provider);
      const { catalogue } = load(config);
      expect(catalogue.provider(provider.id)).toMatchObject({ available: false });
      expect(catalogue.provider(provider.id)?.unavailableReason).toMatch(/not implemented yet/);
      expect(catalogue.byRef(`${provider.id}::v1::x`)?.available).toBe(false);
      expect(catalogue.byRef("acme::v1::m")?.available).toBe(true);
    }
  });

  test("user keys do not make a provider unavailable (a request answers 501 rather than asking for a key)", () => {
    const config = base();
    providers(config)[0]!.keyPolicy = { centralKey: false, allowUserKeys: true };
    expect(load(config).catalogue.provider("acme")).toMatchObject({
      credentialMode: "user-keys",
      available: true,
    });
  });

  test("the embedded default has no pending warnings", () => {
    for (const env of [{}, { OPENAI_API_KEY: "o", ANTHROPIC_API_KEY: "a", OPENROUTER_API_KEY: "r" }]) {
      const result = embeddedDefaultConfig(env);
      expect(result.ok && pending(result.warnings)).toEqual([]);
    }
  });

  test("GEMINI_API_KEY and the AWS environment: the built-in Google and Bedrock providers are served, no warning", () => {
    const gemini = embeddedDefaultConfig({ GEMINI_API_KEY: "g", OPENAI_API_KEY: "o" });
    if (!gemini.ok) throw new Error("expected the embedded default to load");
    expect(pending(gemini.warnings)).toEqual([]);
    expect(gemini.catalogue.provider("google")).toMatchObject({
      credentialMode: "environment",
      available: true,
    });
    expect(gemini.catalogue.models.some((model) => model.providerId === "google" && model.available)).toBe(
      true,
    );
    const bedrock = embeddedDefaultConfig({ AWS_REGION: "eu-west-1", AWS_PROFILE: "prod" });
    expect(bedrock.ok && pending(bedrock.warnings)).toEqual([]);
  });

  test("a built-in google provider without a key gets the key warning only", () => {
    const result = loadConfig('{ "modelConfiguration": { "sourcegraph": {} } }', {
      env: { OPENAI_API_KEY: "o" },
    });
    expect(result.ok && pending(result.warnings)).toEqual([]);
  });
});
