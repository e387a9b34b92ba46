// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${ENV} references.
import { describe, expect, test } from "vitest";
import { formatProblem, loadConfig, type Problem } from "../index.js";

function problems(text: string, env: Record<string, string> = {}): Problem[] {
  const result = loadConfig(text, { env });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems.filter((problem) => problem.severity === "error");
}

const PROVIDER = `{ "id": "acme", "displayName": "Acme", "serverSideConfig": { "type": "openai", "accessToken": "k" } }`;
const MODEL = (ref: string, extra = "") =>
  `{ "modelRef": "${ref}", "displayName": "M", "modelName": "m", "capabilities": ["chat", "autocomplete"], "category": "balanced", "status": "stable", "contextWindow": { "maxInputTokens": 1000, "maxOutputTokens": 100 }${extra} }`;
const config = (providers: string[], models: string[], defaults = "") =>
  `{ "modelConfiguration": { "sourcegraph": null, "providerOverrides": [${providers.join(",")}], "modelOverrides": [${models.join(",")}]${defaults} } }`;

describe("loadConfig", () => {
  test("a minimal config loads with warnings naming the chosen defaults", () => {
    const result = loadConfig(config([PROVIDER], [MODEL("acme::v1::m")]), { env: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.catalogue.defaults).toEqual({
      chat: "acme::v1::m",
      fastChat: "acme::v1::m",
      codeCompletion: "acme::v1::m",
    });
    expect(result.warnings.map((w) => w.message)).toContain(
      "not set; using `acme::v1::m` (the first model with the `chat` capability)",
    );
    expect(result.config.server).toMatchObject({ host: "127.0.0.1", port: 8080, shutdownTimeout: 30_000 });
    expect(result.config.storage.url.reveal()).toBe("sqlite:.tollgate/tollgate.db");
  });

  test("unknown key with a did-you-mean hint, at the key's line and column", () => {
    const text = `{\n  "server": {\n    "prot": 8080\n  }\n}`;
    expect(problems(text)).toEqual([
      {
        path: "server.prot",
        message: "unknown key `prot` (did you mean `port`?)",
        line: 3,
        column: 5,
        severity: "error",
      },
    ]);
  });

  test("unknown key without a close match lists the allowed keys", () => {
    const [problem] = problems(`{ "redis": { "url": "redis://x", "zzzzzzzzzz": 1 } }`);
    expect(problem!.message).toBe("unknown key `zzzzzzzzzz`; allowed here: `url`, `keyPrefix`, `failMode`");
  });

  test("bad enum value lists the allowed values", () => {
    const [problem] = problems(
      config([PROVIDER], [MODEL("acme::v1::m").replace('"chat", "autocomplete"', '"chat", "chatt"')]),
    );
    expect(problem!.path).toBe("modelConfiguration.modelOverrides[0].capabilities[1]");
    expect(problem!.message).toContain(
      "`chat`, `autocomplete`, `edit`, `vision`, `tools`, `reasoning`, `embeddings`",
    );
    expect(problem!.message).toContain("did you mean `chat`?");
  });

  test("bad provider type is named with the allowed types", () => {
    const [problem] = problems(config([PROVIDER.replace('"openai"', '"openia"')], []));
    expect(problem!.path).toBe("modelConfiguration.providerOverrides[0].serverSideConfig.type");
    expect(problem!.message).toMatch(
      /^`openia` is not a valid type; expected one of `anthropic`, .*`huggingface-tgi`/,
    );
    expect(problem!.message).toContain("(did you mean `openai`?)");
  });

  test("bad model ref", () => {
    const [problem] = problems(config([PROVIDER], [MODEL("acme::m")]));
    expect(problem!.path).toBe("modelConfiguration.modelOverrides[0].modelRef");
    expect(problem!.message).toContain("has 2 parts; expected exactly 3");
  });

  test("duplicate provider", () => {
    const [problem] = problems(config([PROVIDER, PROVIDER], [MODEL("acme::v1::m")]));
    expect(problem).toMatchObject({
      path: "modelConfiguration.providerOverrides[1].id",
      message: "provider `acme` is already defined at providerOverrides[0]",
    });
  });

  test("duplicate model", () => {
    const [problem] = problems(config([PROVIDER], [MODEL("acme::v1::m"), MODEL("acme::v1::m")]));
    expect(problem).toMatchObject({
      path: "modelConfiguration.modelOverrides[1].modelRef",
      message: "model `acme::v1::m` is already defined at modelOverrides[0]",
    });
  });

  test("unknown default suggests the closest ref", () => {
    const text = config(
      [PROVIDER],
      [MODEL("acme::v1::model-large")],
      `, "defaultModels": { "chat": "acme::v1::model-lrge" }`,
    );
    const [problem] = problems(text);
    expect(problem).toMatchObject({
      path: "modelConfiguration.defaultModels.chat",
      message: "unknown model `acme::v1::model-lrge`; did you mean `acme::v1::model-large`?",
    });
  });

  test("default without the capability", () => {
    const embed = `{ "modelRef": "acme::v1::embed", "capabilities": ["embeddings"] }`;
    const text = config(
      [PROVIDER],
      [MODEL("acme::v1::m"), embed],
      `, "defaultModels": { "codeCompletion": "acme::v1::embed" }`,
    );
    const [problem] = problems(text);
    expect(problem!.path).toBe("modelConfiguration.defaultModels.codeCompletion");
    expect(problem!.message).toContain("lacks the `autocomplete` capability");
    expect(problem!.message).toContain("did you mean `acme::v1::m`?");
  });

  test("model of an unknown provider names the provider", () => {
    const [problem] = problems(config([PROVIDER], [MODEL("nope::v1::m")]));
    expect(problem).toMatchObject({ path: "modelConfiguration.modelOverrides[0].modelRef" });
    expect(problem!.message).toContain("belongs to provider `nope`, which is not configured");
    expect(problem!.message).toContain("(configured: acme)");
  });

  test("unset ${VAR} names the variable and the path", () => {
    const text = config([PROVIDER.replace('"k"', '"${ACME_KEY}"')], [MODEL("acme::v1::m")]);
    const [problem] = problems(text);
    expect(problem!.path).toBe("modelConfiguration.providerOverrides[0].serverSideConfig.accessToken");
    expect(problem!.message).toContain("ACME_KEY is not set");
    const loaded = loadConfig(text, { env: { ACME_KEY: "secret-value" } });
    expect(loaded.ok && loaded.catalogue.provider("acme")?.centralKey?.reveal()).toBe("secret-value");
  });

  test("not JSON", () => {
    const [problem] = problems("server: { port: 1 }");
    expect(problem!.line).toBe(1);
    expect(problem!.message).toMatch(/unexpected character|expected/);
  });

  test("wrong type", () => {
    expect(problems(`{ "server": { "port": "eighty" } }`)[0]).toMatchObject({
      path: "server.port",
      message: 'expected number, got the string "eighty"',
    });
    expect(problems(`[1, 2]`)[0]!.message).toBe("expected a JSON object at the top level");
  });

  test("huge file", () => {
    const [problem] = problems(`{ "x": "${"a".repeat(6 * 1024 * 1024)}" }`);
    expect(problem!.message).toContain("limited to 5 MiB");
  });

  test("several problems are reported at once, each with line:column", () => {
    const text = `{\n  "server": { "port": "x" },\n  // comment\n  "usage": { "retention": "forever", },\n}`;
    const formatted = problems(text).map(formatProblem);
    expect(formatted).toEqual([
      'server.port: expected number, got the string "x" (2:23)',
      'usage.retention: `forever` is not a duration; write <number><unit> with unit ms, s, m, h or d (e.g. "30s", "1m") (4:27)',
    ]);
  });

  test("missing closing brace is a syntax problem at the end", () => {
    const [problem] = problems(`{\n  "server": { "port": 1 }\n`);
    expect(problem!.message).toContain("`}` is missing");
    expect(problem!.line).toBe(3);
  });

  test("Sourcegraph site config: other keys are warnings, misspelt Tollgate sections stay errors", () => {
    const site = `{ "cody.enabled": true, "externalURL": "https://sg.example.com", "auth.providers": [], ${config([PROVIDER], [MODEL("acme::v1::m")]).slice(1)}`;
    const result = loadConfig(site, { env: {} });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(
        result.warnings.filter((w) => w.message.startsWith("ignored Sourcegraph setting")).map((w) => w.path),
      ).toEqual(['["cody.enabled"]', "externalURL", '["auth.providers"]']);
    }
    const typo = problems(`{ "cody.enabled": true, "modelConfigration": {} }`);
    expect(typo[0]!.message).toBe("unknown key `modelConfigration` (did you mean `modelConfiguration`?)");
  });

  test("actors: DESIGN §4 shape, tokens hashed, duplicate ids rejected", () => {
    const actor = `{ "id": "team-a", "name": "Team A", "role": "user", "tokens": ["\${TEAM_A_TOKEN}"], "allowedModels": ["anthropic::*"], "limits": { "chat": { "requests": 100, "tokens": 200000, "interval": "1m", "concurrent": 8 } }, "budget": { "usd": 50, "period": "month" } }`;
    const result = loadConfig(
      `{ "actors": [${actor}], "modelConfiguration": ${config([PROVIDER], [MODEL("acme::v1::m")]).slice(24, -1)} }`,
      {
        env: { TEAM_A_TOKEN: "tg_abc" },
      },
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.config.actors.list[0]!.tokens[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(result.config.actors.list[0]!.limits?.chat).toEqual({
        requests: 100,
        tokens: 200000,
        interval: 60_000,
        concurrent: 8,
      });
      expect(JSON.stringify(result.config)).not.toContain("tg_abc");
    }
    const dup = problems(`{ "actors": [{ "id": "a" }, { "id": "a" }] }`);
    expect(dup[0]).toMatchObject({
      path: "actors[1].id",
      message: "actor id `a` is already used by actors[0]",
    });
    const badFeature = problems(`{ "limits": { "defaults": { "caht": { "concurrent": 1 } } } }`);
    expect(badFeature[0]!.message).toBe("unknown key `caht` (did you mean `chat`?)");
  });

  test("keyPolicy needs a credential source; centralKey false needs no accessToken", () => {
    const none = PROVIDER.replace("}", '}, "keyPolicy": { "centralKey": false }').replace(
      '"accessToken": "k" ',
      "",
    );
    expect(problems(config([none], [MODEL("acme::v1::m")]))[0]!.message).toContain(
      "no credential source is enabled",
    );
    const userKeys = PROVIDER.replace(', "accessToken": "k"', "").replace(
      '"displayName": "Acme",',
      '"displayName": "Acme", "keyPolicy": { "centralKey": false, "allowUserKeys": true },',
    );
    const result = loadConfig(config([userKeys], [MODEL("acme::v1::m")]), { env: {} });
    expect(result.ok && result.catalogue.provider("acme")).toMatchObject({
      credentialMode: "user-keys",
      available: true,
    });
  });

  test("a provider without credentials is a warning and its models are unavailable", () => {
    const result = loadConfig(
      config([PROVIDER.replace(', "accessToken": "k"', "")], [MODEL("acme::v1::m")]),
      { env: {} },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings.map((w) => w.message)).toContain(
      "provider `acme`: no API key: set `accessToken` or OPENAI_API_KEY; its models are unavailable",
    );
    expect(result.catalogue.byRef("acme::v1::m")?.available).toBe(false);
  });

  test("provider-specific options must fit the provider type", () => {
    const text = config(
      [PROVIDER],
      [MODEL("acme::v1::m", `, "options": { "effort": "high", "temperature": 0.2 }`)],
    );
    const [problem] = problems(text);
    expect(problem!.path).toBe("modelConfiguration.modelOverrides[0].options.effort");
    expect(problem!.message).toContain("provider `acme` is of type openai");
  });
});
