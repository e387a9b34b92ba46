// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the example's ${ENV} references are the subject.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { presentedToken } from "../../src/auth/principal.js";
import { formatProblem, loadConfig } from "../../src/config/index.js";

const text = readFileSync(new URL("../../tollgate.example.jsonc", import.meta.url), "utf8");
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

describe("tollgate.example.jsonc", () => {
  test("loads on a machine with no environment, with warnings but no errors", () => {
    const result = loadConfig(text, { env: {}, fileName: "tollgate.example.jsonc" });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (!result.ok) return;
    expect(result.warnings.filter((problem) => problem.severity === "error")).toEqual([]);
    expect(result.warnings.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([
      "modelConfiguration.providerOverrides[0]: provider `anthropic`: no API key: set `accessToken`; its models are unavailable",
    ]);

    const { config, catalogue } = result;
    expect(config.server).toEqual({
      host: "127.0.0.1",
      port: 8080,
      bodyLimit: 32 * 1024 * 1024,
      trustProxy: false,
      shutdownTimeout: 30_000,
      authFailures: { limit: 20, window: 60_000 },
    });
    expect(config.storage.url.reveal()).toBe("sqlite:.tollgate/tollgate.db");
    expect(config.redis).toBeUndefined();
    expect(catalogue.providers.map((provider) => [provider.id, provider.type, provider.available])).toEqual([
      ["anthropic", "anthropic", false],
      ["local", "openaicompatible", true],
    ]);
    expect(catalogue.models.map((model) => model.ref)).toEqual([
      "anthropic::2023-06-01::claude-sonnet-4-5",
      "anthropic::2023-06-01::claude-haiku-4-5",
      "local::v1::qwen2.5-coder-7b",
    ]);
    expect(catalogue.defaults).toEqual({
      chat: "anthropic::2023-06-01::claude-sonnet-4-5",
      fastChat: "anthropic::2023-06-01::claude-haiku-4-5",
      codeCompletion: "local::v1::qwen2.5-coder-7b",
    });
    expect(config.actors.list.map((actor) => [actor.id, actor.role, actor.budget])).toEqual([
      ["team-a", "user", { usd: 50, period: "month" }],
    ]);
    expect(config.limits.defaults?.["*"]).toEqual({ requests: 60, interval: 60_000, concurrent: 2 });
  });

  test("with its variables set, the provider has its key, the actor its token, and nothing warns", () => {
    const env = { ANTHROPIC_API_KEY: "sk-ant-example", TEAM_A_TOKEN: "tg_example", PORT: "9090" };
    const result = loadConfig(text, { env });
    expect(result.ok && result.warnings.map(formatProblem)).toEqual([]);
    if (!result.ok) return;
    expect(result.config.server.port).toBe(9090);
    expect(result.catalogue.provider("anthropic")).toMatchObject({
      available: true,
      credentialMode: "config-key",
    });
    expect(result.config.actors.list[0]?.tokens).toEqual([{ sha256: sha256("tg_example") }]);
  });

  test("without TEAM_A_TOKEN, team-a's token is one no client can present", () => {
    const result = loadConfig(text, { env: {} });
    expect(result.ok && result.config.actors.list[0]?.tokens).toEqual([{ sha256: sha256(" ") }]);
    expect(presentedToken({ authorization: "Bearer  " })).toBeUndefined();
    expect(presentedToken({ "x-api-key": " " })).toBeUndefined();
  });
});
