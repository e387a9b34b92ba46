import { describe, expect, it } from "vitest";
import { makeActor } from "../auth/actor.js";
import { loadConfig } from "../config/index.js";
import { buildModelListing } from "./model-listing.js";

function catalogue() {
  const model = (ref: string) => ({
    modelRef: ref,
    modelName: ref.split("::")[2],
    capabilities: ["chat", "autocomplete"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 1000, maxOutputTokens: 100 },
  });
  const loaded = loadConfig(
    JSON.stringify({
      modelConfiguration: {
        sourcegraph: null,
        providerOverrides: [
          { id: "openai", serverSideConfig: { type: "openai", accessToken: "sk-test" } },
          { id: "anthropic", serverSideConfig: { type: "anthropic", accessToken: "sk-ant-test" } },
        ],
        modelOverrides: [model("openai::v1::gpt"), model("anthropic::v1::claude")],
        defaultModels: { chat: "openai::v1::gpt", fastChat: "anthropic::v1::claude" },
      },
    }),
    { env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.catalogue;
}

const actor = (allowedModels: string[] | null) =>
  makeActor({ id: "a", role: "user", status: "active", source: "config", allowedModels });

describe("model listing per caller", () => {
  const listing = buildModelListing(catalogue(), (_actorId, provider) => provider.available);

  it("builds one view per allowedModels list and reuses it on later requests", () => {
    const narrow = actor(["anthropic::*"]);
    expect(listing.forActor(narrow)).toBe(listing.forActor(narrow));
    expect(listing.forActor(actor(null))).toBe(listing.forActor(undefined));
    expect(listing.forActor(actor(["anthropic::*"]))).not.toBe(listing.forActor(narrow));
  });

  it("lists nothing to an actor whose allowedModels is empty, in both list shapes and the modelconfig", () => {
    const view = listing.forActor(actor([]));
    expect(view.list).toEqual({ object: "list", data: [] });
    expect(view.anthropicList).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
    expect(view.find("openai::v1::gpt")).toBeUndefined();
    expect(view.find("gpt")).toBeUndefined();
    expect(view.modelConfig).toMatchObject({
      providers: [],
      models: [],
      defaultModels: { chat: "", fastChat: "", codeCompletion: "" },
    });
  });

  it("leaves a default empty when the caller may not use it, and keeps the ones it may", () => {
    expect(listing.forActor(actor(["openai::*"])).modelConfig).toMatchObject({
      defaultModels: { chat: "openai::v1::gpt", fastChat: "", codeCompletion: "openai::v1::gpt" },
    });
  });

  it("writes the Anthropic entry with the ref as id and the context window as token limits", () => {
    const found = listing.forActor(actor(["anthropic::*"])).find("claude");
    expect(found && "model" in found ? found.model.anthropic : undefined).toEqual({
      type: "model",
      id: "anthropic::v1::claude",
      display_name: expect.any(String),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      max_input_tokens: 1000,
      max_tokens: 100,
    });
  });
});
