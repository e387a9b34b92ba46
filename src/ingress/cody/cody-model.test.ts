import { describe, expect, it } from "vitest";
import type { Catalogue, ResolvedModel } from "../../config/index.js";
import { GatewayError } from "../../errors/index.js";
import { codyModelRef } from "./cody-model.js";

function model(ref: string, modelName: string, capabilities: string[] = ["chat"], available = true) {
  const [providerId, , id] = ref.split("::");
  return { ref, providerId, id, modelName, capabilities, available } as unknown as ResolvedModel;
}

/** Only what the resolution reads: the models and each provider's type. */
function catalogue(models: ResolvedModel[], types: Record<string, string>): Catalogue {
  return {
    models,
    provider: (id: string) => (types[id] ? { id, type: types[id] } : undefined),
  } as unknown as Catalogue;
}

const models = [
  model("bedrock::v1::claude-3-5-sonnet", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
  model("anthropic::2023-06-01::claude-3-5-sonnet", "claude-3-5-sonnet-20240620"),
  model("fw::v1::starcoder", "accounts/fireworks/models/starcoder-16b", ["autocomplete"]),
  model("openai::v1::gpt-4o", "gpt-4o", ["chat"], false),
  model("azure::v1::gpt-4o", "gpt-4o"),
];
const types = {
  bedrock: "awsBedrock",
  anthropic: "anthropic",
  fw: "fireworks",
  openai: "openai",
  azure: "azureOpenAI",
};

describe("a Sourcegraph instance's model names", () => {
  const resolve = (name: string, capability: "chat" | "autocomplete" = "chat") =>
    codyModelRef(catalogue(models, types), name, capability);

  it.each([
    ["anthropic/claude-3-5-sonnet-20240620", "anthropic::2023-06-01::claude-3-5-sonnet"],
    ["CLAUDE-3-5-SONNET-20240620", "anthropic::2023-06-01::claude-3-5-sonnet"],
    // The provider prefix is a hint: an id both providers have goes to the one the instance named.
    ["anthropic/claude-3-5-sonnet", "anthropic::2023-06-01::claude-3-5-sonnet"],
    ["awsbedrock/claude-3-5-sonnet", "bedrock::v1::claude-3-5-sonnet"],
    // ...and not a constraint: an "anthropic" model only Bedrock serves is served by Bedrock.
    ["anthropic/anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock::v1::claude-3-5-sonnet"],
    ["fireworks/accounts/fireworks/models/starcoder-16b", "fw::v1::starcoder"],
    ["accounts/fireworks/models/starcoder-16b", "fw::v1::starcoder"],
    // A usable model before one without a key, whatever the hint says.
    ["openai/gpt-4o", "azure::v1::gpt-4o"],
    ["anthropic::2023-06-01::claude-3-5-sonnet", "anthropic::2023-06-01::claude-3-5-sonnet"],
  ])("%s → %s", (name, ref) => {
    expect(resolve(name, name.includes("starcoder") ? "autocomplete" : "chat")).toBe(ref);
  });

  it("an unknown name is a 404 naming it", () => {
    expect(() => resolve("anthropic/claude-9")).toThrowError(GatewayError);
    expect(() => resolve("anthropic/claude-9")).toThrowError('"anthropic/claude-9"');
  });

  it("no name is left to the feature's default", () => {
    expect(codyModelRef(catalogue(models, types), undefined, "chat")).toBeUndefined();
  });
});
