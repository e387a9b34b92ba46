import { describe, expect, test } from "vitest";
import { loadConfig } from "../index.js";

const model = (modelRef: string, extra: Record<string, unknown> = {}) => ({
  modelRef,
  capabilities: ["chat"],
  contextWindow: { maxInputTokens: 1000, maxOutputTokens: 100 },
  ...extra,
});

function load(providers: unknown[], models: unknown[]) {
  const text = JSON.stringify({
    modelConfiguration: { sourcegraph: null, providerOverrides: providers, modelOverrides: models },
  });
  return loadConfig(text, { env: {} });
}

const sourcegraph = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  serverSideConfig: { type: "sourcegraph", endpoint: "https://central.example", accessToken: "tg_x" },
  ...extra,
});

describe("models of a sourcegraph provider need a Cody Gateway route (cody.md §7.1)", () => {
  test("a provider id Cody Gateway routes by loads, and its models are available", () => {
    const result = load(
      [sourcegraph("anthropic"), sourcegraph("fireworks")],
      [model("anthropic::2023-06-01::claude-sonnet-4"), model("fireworks::v1::starcoder")],
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.catalogue.byRef("anthropic::2023-06-01::claude-sonnet-4")?.available).toBe(true);
    expect(result.catalogue.provider("anthropic")?.serverConfig).toMatchObject({ type: "sourcegraph" });
  });

  test("another provider id is refused at load with Cody's message, at the model", () => {
    const result = load([sourcegraph("central")], [model("central::v1::claude-sonnet-4")]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        path: "modelConfiguration.modelOverrides[0].modelRef",
        message: expect.stringContaining(
          'to use Cody Gateway, the provider ID ("central") must match one of [anthropic fireworks google openai]',
        ),
      }),
    );
  });

  test("a gatewayProvider on the model or the provider's defaultModelConfig routes any provider id", () => {
    const hint = { type: "sourcegraph", gatewayProvider: "anthropic" };
    const result = load(
      [sourcegraph("central"), sourcegraph("edge", { defaultModelConfig: { serverSideConfig: hint } })],
      [model("central::v1::claude", { serverSideConfig: hint }), model("edge::v1::claude")],
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.catalogue.byRef("edge::v1::claude")?.serverSideConfig).toEqual(hint);
  });

  test("an unknown gatewayProvider, or one on a provider of another type, is refused", () => {
    const unknown = load(
      [sourcegraph("central")],
      [model("central::v1::x", { serverSideConfig: { type: "sourcegraph", gatewayProvider: "cohere" } })],
    );
    expect(unknown.ok).toBe(false);
    const misplaced = load(
      [{ id: "acme", serverSideConfig: { type: "openai", accessToken: "k" } }],
      [model("acme::v1::x", { serverSideConfig: { type: "sourcegraph", gatewayProvider: "openai" } })],
    );
    expect(misplaced.ok).toBe(false);
    if (misplaced.ok) return;
    expect(misplaced.problems.map((problem) => problem.message).join("\n")).toContain(
      "`gatewayProvider` applies to models of a `sourcegraph` provider; provider `acme` is of type openai",
    );
  });
});
