import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";
import { resolveServable, resolveWithStored } from "./stored-catalogue.js";

const file = {
  modelConfiguration: {
    sourcegraph: null,
    providerOverrides: [{ id: "filed", serverSideConfig: { type: "openai", accessToken: "k" } }],
    modelOverrides: [
      {
        modelRef: "filed::v1::m",
        capabilities: ["chat"],
        contextWindow: { maxInputTokens: 1000, maxOutputTokens: 100 },
      },
    ],
    defaultModels: { chat: "filed::v1::m" },
  },
};

function loaded() {
  const result = loadConfig(JSON.stringify(file), { env: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

const model = (ref: string) => ({
  id: ref,
  body: {
    modelRef: ref,
    capabilities: ["chat"],
    contextWindow: { maxInputTokens: 1000, maxOutputTokens: 100 },
  },
});

describe("stored catalogue entries resolved with the file's", () => {
  it("adds stored providers and models after the file's, and a stored default where the file sets none", () => {
    const { catalogue, problems } = resolveWithStored(
      loaded(),
      {},
      {
        providers: [{ id: "api", body: { id: "api", serverSideConfig: { type: "anthropic" } } }],
        models: [model("api::v1::claude")],
        defaults: { fastChat: "api::v1::claude", chat: "api::v1::claude" },
      },
    );
    expect(problems.filter((problem) => problem.severity === "error")).toEqual([]);
    expect(catalogue.byRef("api::v1::claude")?.providerId).toBe("api");
    expect(catalogue.defaults).toMatchObject({ chat: "filed::v1::m", fastChat: "api::v1::claude" });
  });

  it("maps a stored entry's problem to the entry and its field", () => {
    const { problems } = resolveWithStored(
      loaded(),
      {},
      {
        providers: [],
        models: [model("nowhere::v1::m")],
        defaults: {},
      },
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ kind: "model", id: "nowhere::v1::m", field: "modelRef", severity: "error" }),
    );
  });

  it("leaves out a stored entry the file declares too, and one that no longer parses", () => {
    const { catalogue, problems } = resolveWithStored(
      loaded(),
      {},
      {
        providers: [
          { id: "filed", body: { id: "filed", serverSideConfig: { type: "anthropic" } } },
          { id: "broken", body: { id: "broken", serverSideConfig: { type: "nonsense" } } },
        ],
        models: [],
        defaults: {},
      },
    );
    expect(catalogue.provider("filed")?.type).toBe("openai");
    expect(catalogue.provider("broken")).toBeUndefined();
    const entries = problems.filter((problem) => problem.kind !== "defaults");
    expect(entries.map((problem) => [problem.id, problem.severity])).toEqual([
      ["filed", "warning"],
      ["broken", "error"],
    ]);
  });

  it("leaves out what breaks and keeps the rest: a model whose options its provider's new type refuses", () => {
    const stored = {
      providers: [
        { id: "api", body: { id: "api", serverSideConfig: { type: "anthropic" } } },
        { id: "other", body: { id: "other", serverSideConfig: { type: "openai" } } },
      ],
      models: [
        {
          id: "api::v1::m",
          body: { ...model("api::v1::m").body, options: { reasoningEffort: "high" } },
        },
        model("other::v1::n"),
      ],
      defaults: {},
    };
    const { catalogue, leftOut } = resolveServable(loaded(), {}, stored);
    expect(leftOut.map((problem) => [problem.kind, problem.id])).toEqual([["model", "api::v1::m"]]);
    expect(catalogue.byRef("api::v1::m")).toBeUndefined();
    expect(catalogue.byRef("other::v1::n")).toBeDefined();
    expect(catalogue.provider("api")).toBeDefined();
  });

  it("checks Cody Gateway's routes for stored sourcegraph providers, as for the file's", () => {
    const { problems } = resolveWithStored(
      loaded(),
      {},
      {
        providers: [
          {
            id: "cg",
            body: { id: "cg", serverSideConfig: { type: "sourcegraph", accessToken: "x".repeat(10) } },
          },
        ],
        models: [model("cg::v1::x")],
        defaults: {},
      },
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ kind: "model", id: "cg::v1::x", field: "modelRef", severity: "error" }),
    );
  });
});
