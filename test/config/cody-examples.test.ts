import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatProblem, loadConfig } from "../../src/config/index.js";

const DIR = new URL("../fixtures/cody-examples/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), "utf8");
const errors = (name: string) => {
  const result = loadConfig(read(name), { env: {}, fileName: name });
  return result.ok
    ? []
    : result.problems.filter((problem) => problem.severity === "error").map(formatProblem);
};

describe("Cody documentation examples", () => {
  test.each([
    "04-fireworks.jsonc",
    "05-openai.jsonc",
    "06-azure-openai.jsonc",
    "07-openai-compatible.jsonc",
    "08-google-gemini.jsonc",
  ])("%s loads", (name) => {
    const result = loadConfig(read(name), { env: {} });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });

  test("site-config keys are reported as ignored Sourcegraph settings, not errors", () => {
    const result = loadConfig(read("04-fireworks.jsonc"), { env: {} });
    expect(result.ok && result.warnings.map(formatProblem)).toEqual([
      '["cody.enabled"]: ignored Sourcegraph setting `cody.enabled` (Tollgate reads only `modelConfiguration` from a site config) (2:1)',
    ]);
  });

  test("endpoints are normalised and typed (04 fireworks, 07 openai-compatible, 08 gemini)", () => {
    const fireworks = loadConfig(read("04-fireworks.jsonc"), { env: {} });
    expect(fireworks.ok && fireworks.catalogue.provider("fireworks")?.serverConfig).toMatchObject({
      endpoint: "https://api.fireworks.ai",
    });
    const compatible = loadConfig(read("07-openai-compatible.jsonc"), { env: {} });
    expect(compatible.ok && compatible.catalogue.provider("fireworks")?.serverConfig).toMatchObject({
      type: "openaicompatible",
      endpoints: [{ url: "https://api.fireworks.ai/inference/v1" }],
    });
    const gemini = loadConfig(read("08-google-gemini.jsonc"), { env: {} });
    expect(gemini.ok && gemini.catalogue.provider("google")).toMatchObject({
      googleApi: "gemini",
      serverConfig: { endpoint: "https://generativelanguage.googleapis.com" },
    });
  });

  test("09: unknown default, with the closest defined ref suggested", () => {
    expect(errors("09-google-vertex-anthropic.jsonc")).toEqual([
      "modelConfiguration.defaultModels.chat: unknown model `google::20250219::claude-3.5-sonnet`; did you mean `google::20250219::claude-3-7-sonnet`? (56:15)",
    ]);
  });

  test("10: every placeholder is named by its path", () => {
    expect(errors("10-aws-bedrock.jsonc")).toEqual([
      "modelConfiguration.providerOverrides[0].serverSideConfig.accessToken: `<ACCESS_KEY_ID>` is a documentation placeholder, not a value; replace it with the real one (11:24)",
      "modelConfiguration.providerOverrides[0].serverSideConfig.endpoint: `<VPC Endpoint URL>` is a documentation placeholder, not a value; replace it with the real one (12:21)",
      "modelConfiguration.modelOverrides[0].serverSideConfig.arn: `<ARN>` is a documentation placeholder, not a value; replace it with the real one (24:16)",
    ]);
  });

  // 01–03 as published lack the final `}`; Tollgate reports it (as Sourcegraph's own editor would) and still
  // validates the rest, so every other problem shows up in the same run.
  test("03: only the missing closing brace", () => {
    expect(errors("03-anthropic.jsonc")).toEqual([
      "modelConfiguration: the file ends before every object and array is closed: `}` is missing (61:1)",
    ]);
  });

  test("01 and 02: defaults the built-in catalogue does not have are unknown models with suggestions", () => {
    const first = errors("01-byok-provider-override.jsonc");
    expect(first).toContain(
      "modelConfiguration.defaultModels.codeCompletion: unknown model `fireworks::v1::deepseek-coder-v2-lite-base`; did you mean `fireworks::v1::deepseek-v4-flash`? (19:23)",
    );
    expect(
      first.some((line) =>
        line.startsWith(
          "modelConfiguration.defaultModels.chat: unknown model `anthropic::2024-10-22::claude-3.5-sonnet`",
        ),
      ),
    ).toBe(true);
    const second = errors("02-byok-partial-override.jsonc");
    expect(
      second.some((line) =>
        line.startsWith(
          "modelConfiguration.defaultModels.fastChat: unknown model `anthropic::2023-06-01::claude-3-haiku`",
        ),
      ),
    ).toBe(true);
    expect(second.some((line) => line.startsWith("modelConfiguration.defaultModels.chat"))).toBe(false);
  });

  test("01 with the brace fixed and defaults from the catalogue loads", () => {
    const fixed = `${read("01-byok-provider-override.jsonc")}}`
      .replace("anthropic::2024-10-22::claude-3.5-sonnet", "anthropic::2023-06-01::claude-sonnet-4-5")
      .replace("anthropic::2023-06-01::claude-3-haiku", "anthropic::2023-06-01::claude-haiku-4-5")
      .replace("fireworks::v1::deepseek-coder-v2-lite-base", "anthropic::2023-06-01::claude-haiku-4-5");
    const result = loadConfig(fixed, { env: {} });
    expect(result.ok ? "ok" : result.problems.map(formatProblem)).toBe("ok");
  });

  test("every example is covered above", () => {
    expect(readdirSync(DIR).filter((name) => name.endsWith(".jsonc"))).toHaveLength(10);
  });
});

describe("Cody documentation fragments are accepted inside a full configuration", () => {
  const parse = (name: string) =>
    JSON.parse(
      read(`fragments/${name}`)
        .replace(/^\s*\/\/.*$/gm, "")
        .replace(/,(\s*[}\]])/g, "$1"),
    );

  test.each(["openai-compatible-custom-headers.jsonc", "openai-compatible-legacy-completions.jsonc"])(
    "%s",
    (name) => {
      const fragment = parse(name);
      const config = {
        modelConfiguration: {
          sourcegraph: null,
          providerOverrides: [{ id: "hf", displayName: "HF", ...fragment }],
          modelOverrides: [{ modelRef: "hf::v1::codellama", capabilities: ["chat", "autocomplete"] }],
        },
      };
      const result = loadConfig(JSON.stringify(config), { env: {} });
      expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
      if (result.ok)
        expect(JSON.stringify(result.catalogue.provider("hf")?.serverConfig)).not.toContain('"foo"');
    },
  );

  test("aws-bedrock-latency-optimized.jsonc", () => {
    const fragment = parse("aws-bedrock-latency-optimized.jsonc");
    const config = {
      modelConfiguration: {
        sourcegraph: null,
        providerOverrides: [
          { id: "aws-bedrock", serverSideConfig: { type: "awsBedrock", region: "us-east-1" } },
        ],
        ...fragment,
      },
    };
    const result = loadConfig(JSON.stringify(config), { env: {} });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (result.ok) {
      expect(
        result.catalogue.byRef("aws-bedrock::v1::claude-3-5-haiku-latency-optimized")?.serverSideConfig,
      ).toEqual({
        type: "awsBedrock",
        latencyOptimization: "optimized",
      });
    }
  });
});

describe("Bedrock without a region", () => {
  test("is a config error that says what to set, for the credential chain and for static keys", () => {
    for (const accessToken of [undefined, "AKIDEXAMPLE:secret"]) {
      const result = loadConfig(
        JSON.stringify({
          modelConfiguration: {
            sourcegraph: null,
            providerOverrides: [
              { id: "br", serverSideConfig: { type: "awsBedrock", ...(accessToken ? { accessToken } : {}) } },
            ],
          },
        }),
        { env: {} },
      );
      expect(result.ok).toBe(false);
      const problems = result.ok
        ? []
        : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
      expect(problems.join("\n")).toMatch(
        /providerOverrides\[0\]\.serverSideConfig\.region: .*need(s)? a region.*AWS_REGION/,
      );
    }
  });
});
