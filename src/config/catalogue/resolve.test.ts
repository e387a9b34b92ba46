import { expect, test } from "vitest";
import { loadConfig } from "../index.js";
import { toSupportedModelsJson } from "./supported-models.js";

const ENV = { ANTHROPIC_API_KEY: "sk-ant-env", OPENAI_API_KEY: "sk-openai-env" };
const load = (modelConfiguration: object, env: Record<string, string> = ENV) => {
  const result = loadConfig(JSON.stringify({ modelConfiguration }), { env });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result;
};

test("merge order: provider override replaces a built-in provider, model override, defaultModelConfig, new model", () => {
  const { catalogue } = load({
    sourcegraph: { modelFilters: { allow: ["anthropic::*"] } },
    providerOverrides: [
      {
        id: "anthropic",
        displayName: "Anthropic via proxy",
        serverSideConfig: {
          type: "anthropic",
          accessToken: "sk-ant-config",
          endpoint: "https://proxy.example.com/v1/messages",
        },
        defaultModelConfig: { tier: "enterprise", options: { temperature: 0.3 } },
      },
    ],
    modelOverrides: [
      {
        modelRef: "anthropic::2023-06-01::claude-sonnet-4-5",
        displayName: "Sonnet (house)",
        contextWindow: { maxInputTokens: 100000, maxOutputTokens: 8000 },
        pricing: { input: 2.5 },
      },
      {
        modelRef: "anthropic::2023-06-01::claude-house",
        modelName: "claude-house-1",
        capabilities: ["chat"],
      },
    ],
    defaultModels: {
      chat: "anthropic::2023-06-01::claude-sonnet-4-5",
      fastChat: "anthropic::2023-06-01::claude-haiku-4-5",
      codeCompletion: "anthropic::2023-06-01::claude-haiku-4-5",
    },
  });
  const provider = catalogue.provider("anthropic")!;
  expect(provider).toMatchObject({
    displayName: "Anthropic via proxy",
    credentialMode: "config-key",
    available: true,
  });
  expect(provider.serverConfig).toMatchObject({ type: "anthropic", endpoint: "https://proxy.example.com" });
  expect(provider.centralKey?.reveal()).toBe("sk-ant-config");
  expect(catalogue.models.every((model) => model.providerId === "anthropic")).toBe(true);

  const sonnet = catalogue.byRef("anthropic::2023-06-01::claude-sonnet-4-5")!;
  expect(sonnet).toMatchObject({
    displayName: "Sonnet (house)",
    tier: "enterprise",
    options: { temperature: 0.3 },
  });
  expect(sonnet.contextWindow).toEqual({ maxInputTokens: 100000, maxOutputTokens: 8000 });
  expect(sonnet.pricing).toMatchObject({ input: 2.5, output: 15 });

  const added = catalogue.byRef("anthropic::2023-06-01::claude-house")!;
  expect(added).toMatchObject({
    modelName: "claude-house-1",
    tier: "enterprise",
    options: { temperature: 0.3 },
    available: true,
  });
  expect(added.contextWindow).toEqual({ maxInputTokens: 4000, maxOutputTokens: 4000 });
  expect(catalogue.byId("claude-house")?.ref).toBe("anthropic::2023-06-01::claude-house");
  expect(Object.isFrozen(catalogue.models[0])).toBe(true);
});

test("sourcegraph null or absent: no built-in catalogue; object: catalogue with env keys", () => {
  const provider = { id: "p", serverSideConfig: { type: "openai", accessToken: "k" } };
  const model = { modelRef: "p::v1::m", capabilities: ["chat", "autocomplete"] };
  for (const sourcegraph of [null, undefined]) {
    const { catalogue } = load({ sourcegraph, providerOverrides: [provider], modelOverrides: [model] });
    expect(catalogue.models.map((m) => m.ref)).toEqual(["p::v1::m"]);
  }
  const { catalogue } = load({ sourcegraph: {} });
  expect(catalogue.provider("anthropic")).toMatchObject({
    credentialMode: "environment",
    credentialSource: "ANTHROPIC_API_KEY",
    available: true,
  });
  expect(catalogue.provider("google")).toMatchObject({ credentialMode: "missing", available: false });
  expect(catalogue.models.some((m) => m.providerId === "google" && !m.available)).toBe(true);
});

test("deprecated models and filtered models are dropped; statusFilter applies", () => {
  const { catalogue } = load({ sourcegraph: { modelFilters: { statusFilter: ["beta"], deny: ["*lite*"] } } });
  expect(catalogue.models.length).toBeGreaterThan(0);
  expect(catalogue.models.every((model) => model.status === "beta" && !model.ref.includes("lite"))).toBe(
    true,
  );
});

test("selfHostedModels get built-in defaults; deprecated recommended settings warn", () => {
  const result = loadConfig(
    JSON.stringify({
      modelConfiguration: {
        sourcegraph: null,
        providerOverrides: [
          {
            id: "bigcode",
            serverSideConfig: { type: "openaicompatible", endpoints: [{ url: "http://localhost:8000/v1" }] },
          },
          {
            id: "mistral",
            serverSideConfig: { type: "huggingface-tgi", endpoints: [{ url: "http://tgi:8080/v1" }] },
          },
        ],
        selfHostedModels: [
          { provider: "bigcode", model: "starcoder2-7b@v1", override: { displayName: "SC2" } },
        ],
        modelOverridesRecommendedSettings: ["mistral::v1::mixtral-8x7b-instruct"],
      },
    }),
    { env: {} },
  );
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.catalogue.byRef("bigcode::v1::starcoder2-7b")).toMatchObject({
    displayName: "SC2",
    capabilities: ["autocomplete"],
  });
  expect(result.catalogue.byRef("mistral::v1::mixtral-8x7b-instruct")?.capabilities).toContain("chat");
  expect(result.catalogue.provider("bigcode")?.credentialMode).toBe("none");
  expect(result.warnings.some((w) => w.message.includes("deprecated"))).toBe(true);
  expect(result.catalogue.defaults.codeCompletion).toBe("bigcode::v1::starcoder2-7b");
});

test("supported-models.json has no server-side config or secrets", () => {
  const { catalogue } = load({
    sourcegraph: {},
    providerOverrides: [
      { id: "anthropic", serverSideConfig: { type: "anthropic", accessToken: "sk-very-secret" } },
    ],
  });
  const body = toSupportedModelsJson(catalogue);
  const text = JSON.stringify(body);
  expect(body.schemaVersion).toBe("1.0");
  expect(text).not.toContain("serverSideConfig");
  expect(text).not.toContain("sk-very-secret");
  expect(text).not.toContain("sk-ant-env");
  expect(body.models[0]).toHaveProperty("modelRef");
  expect(body.defaultModels.chat).toBe(catalogue.defaults.chat);
});

test("embedded default: catalogue for providers with keys in the environment only", async () => {
  const { embeddedDefaultConfig } = await import("../index.js");
  const none = embeddedDefaultConfig({});
  expect(none.ok && none.catalogue.models.length).toBe(0);
  const some = embeddedDefaultConfig({ OPENAI_API_KEY: "k", AWS_REGION: "eu-west-1", AWS_PROFILE: "prod" });
  expect(some.ok).toBe(true);
  if (!some.ok) return;
  expect(some.catalogue.providers.map((p) => p.id)).toEqual(["openai", "aws-bedrock"]);
  expect(some.catalogue.provider("aws-bedrock")).toMatchObject({
    credentialMode: "aws-ambient",
    region: "eu-west-1",
  });
  expect(some.catalogue.defaults.chat).toMatch(/^openai::/);
  expect(some.config.storage.url.reveal()).toBe("sqlite:.tollgate/tollgate.db");
});

test("bedrock credential modes (DESIGN §8)", () => {
  const bedrock = (accessToken: string) =>
    loadConfig(
      JSON.stringify({
        modelConfiguration: {
          sourcegraph: null,
          providerOverrides: [
            { id: "b", serverSideConfig: { type: "awsBedrock", accessToken, region: "us-west-2" } },
          ],
          modelOverrides: [{ modelRef: "b::v1::m", capabilities: ["chat"] }],
        },
      }),
      { env: {} },
    );
  const mode = (token: string) => {
    const result = bedrock(token);
    return result.ok
      ? result.catalogue.provider("b")?.credentialMode
      : result.problems.find((problem) => problem.severity === "error")?.message;
  };
  expect(mode("AKID:SECRET")).toBe("aws-static");
  expect(mode("AKID:SECRET:SESSION")).toBe("aws-static");
  expect(mode("bedrock-api-key")).toBe("aws-bearer");
  expect(mode("")).toBe("aws-ambient");
  expect(mode("a:b:c:d")).toContain("expected `ACCESS_KEY_ID:SECRET_ACCESS_KEY");
});
