// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these configs read keys with ${ENV}.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runConfigCheck } from "../../cli/config-check.js";
import { loadConfig, type Problem } from "../index.js";
import { headerNameProblem, headerValueProblem } from "./http-fields.js";

const SECRET = "sk-live-0123456789abcdef";
const MODEL = `{ "modelRef": "local::v1::m", "capabilities": ["chat", "autocomplete"], "contextWindow": { "maxInputTokens": 1000, "maxOutputTokens": 100 } }`;

/** A config whose third provider is the one under test (the path must name its index). */
function withProvider(serverSideConfig: string): string {
  return `{ "modelConfiguration": { "sourcegraph": null, "providerOverrides": [
    { "id": "a", "serverSideConfig": { "type": "openai", "accessToken": "k" } },
    { "id": "b", "serverSideConfig": { "type": "anthropic", "accessToken": "k" } },
    { "id": "local", "serverSideConfig": ${serverSideConfig} }
  ], "modelOverrides": [${MODEL}] } }`;
}

const compatible = (endpoint: string) =>
  withProvider(`{ "type": "openaicompatible", "endpoints": [${endpoint}] }`);

function errors(text: string, env: Record<string, string> = {}): Problem[] {
  const result = loadConfig(text, { env });
  expect(result.ok, "the config should be refused").toBe(false);
  return result.ok ? [] : result.problems.filter((problem) => problem.severity === "error");
}

const HEADERS = "modelConfiguration.providerOverrides[2].serverSideConfig.endpoints[0].headers";

describe("provider headers are checked at load (issue 15: every request failed with a 502 and no log line)", () => {
  test("a header value with CR/LF names the header and never shows the value", () => {
    const [problem, ...rest] = errors(
      compatible(`{ "url": "http://vllm:8000/v1", "headers": { "X-Api-Key": "\${LOCAL_KEY}" } }`),
      { LOCAL_KEY: `${SECRET}\r\nX-Injected: 1` },
    );
    expect(rest).toEqual([]);
    expect(problem!.path).toBe(`${HEADERS}["X-Api-Key"]`);
    expect(problem!.message).toMatch(/^header contains a line break \(U\+000D\) at position 25 of 39/);
    expect(problem!.line).toBeGreaterThan(0);
    expect(JSON.stringify(problem)).not.toContain(SECRET);
  });

  test.each([
    ["X Bad", "is not a valid HTTP header name"],
    ["X-Bad:", "is not a valid HTTP header name"],
    ["", "is not a valid HTTP header name"],
    ["Content-Length", "`content-length` is managed by the gateway's HTTP client"],
    ["Transfer-Encoding", "`transfer-encoding` is managed by the gateway's HTTP client"],
  ])("header name %j is refused", (name, message) => {
    const [problem] = errors(
      compatible(`{ "url": "http://vllm:8000/v1", "headers": { ${JSON.stringify(name)}: "v" } }`),
    );
    expect(problem!.path).toBe(`${HEADERS}[${JSON.stringify(name)}]`);
    expect(problem!.message).toContain(message);
  });

  test("a NUL or a character above U+00FF in a value is refused too", () => {
    for (const value of ["a\\u0000b", "price in €"]) {
      const [problem] = errors(
        compatible(`{ "url": "http://vllm:8000/v1", "headers": { "X-Note": "${value}" } }`),
      );
      expect(problem!.path).toBe(`${HEADERS}["X-Note"]`);
      expect(problem!.message).toMatch(/^header contains a (control )?character/);
    }
  });

  test("an accessToken read with its final newline is refused where it is set", () => {
    const [problem] = errors(withProvider(`{ "type": "anthropic", "accessToken": "\${KEY}" }`), {
      KEY: `${SECRET}\n`,
    });
    expect(problem!.path).toBe("modelConfiguration.providerOverrides[2].serverSideConfig.accessToken");
    expect(problem!.message).toContain("line break");
    expect(JSON.stringify(problem)).not.toContain(SECRET);
  });

  test("an actor source's headers and authorization are checked the same way", () => {
    const problems = errors(
      `{ "actors": { "sources": [{ "id": "s", "url": "https://idp.example/actors",
        "authorization": "Bearer \${T}\\n", "headers": { "X Team": "a" } }] } }`,
      { T: SECRET },
    );
    expect(problems.map((problem) => problem.path).sort()).toEqual([
      "actors.sources[0].authorization",
      'actors.sources[0].headers["X Team"]',
    ]);
  });

  test("valid headers still load: tokens, tabs, Latin-1, an explicit Authorization", () => {
    const result = loadConfig(
      compatible(
        `{ "url": "http://vllm:8000/v1", "headers": { "Authorization": "Bearer \${K}", "X-Tab": "a\\tb", "X-Latin": "café", "x_custom.v2~": "1" } }`,
      ),
      { env: { K: SECRET } },
    );
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  test("`tollgate config check` refuses the file and names the header", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tollgate-headers-"));
    const file = join(dir, "tollgate.jsonc");
    writeFileSync(file, compatible(`{ "url": "http://vllm:8000/v1", "headers": { "X Bad": "v" } }`));
    let stderr = "";
    const code = await runConfigCheck([file], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`${HEADERS}["X Bad"]: header is not a valid HTTP header name`);
  });
});

describe("credentials in an endpoint URL are refused (issue 15: user:password was silently dropped)", () => {
  const ADVICE = "in the provider's `accessToken`";

  test.each([
    [
      "an OpenAI-compatible endpoint",
      compatible(`{ "url": "https://admin:${SECRET}@vllm.internal/v1" }`),
      "modelConfiguration.providerOverrides[2].serverSideConfig.endpoints[0].url",
    ],
    [
      "a typed provider's endpoint",
      withProvider(`{ "type": "anthropic", "endpoint": "https://${SECRET}@proxy.example/v1/messages" }`),
      "modelConfiguration.providerOverrides[2].serverSideConfig.endpoint",
    ],
    [
      "a Bedrock VPC endpoint",
      withProvider(`{ "type": "awsBedrock", "endpoint": "https://u:${SECRET}@vpce-1.bedrock.example" }`),
      "modelConfiguration.providerOverrides[2].serverSideConfig.endpoint",
    ],
  ])("%s", (_name, text, path) => {
    const [problem] = errors(text);
    expect(problem!.path).toBe(path);
    expect(problem!.message).toContain("carries credentials");
    expect(problem!.message).toContain(ADVICE);
    // Neither the password nor a user name that may be the key itself.
    expect(JSON.stringify(problem)).not.toContain(SECRET);
  });

  test("actor sources and webhooks say where their credentials go", () => {
    const problems = errors(
      `{ "actors": { "sources": [{ "id": "s", "url": "https://u:${SECRET}@idp.example/actors" }] },
         "usage": { "notifications": { "webhooks": [{ "url": "https://u:${SECRET}@hooks.example/x", "secret": "whsec-123456" }] } } }`,
    );
    expect(problems.map((problem) => [problem.path, problem.message.split("; remove them and ")[1]])).toEqual(
      [
        ["actors.sources[0].url", "send them with `authorization` (or `headers`)"],
        [
          "usage.notifications.webhooks[0].url",
          "let the receiver check each delivery's signature (made with the webhook's `secret`)",
        ],
      ],
    );
    expect(JSON.stringify(problems)).not.toContain(SECRET);
  });

  test("an @ elsewhere in the URL is no credential; a bare Bedrock region stays a region", () => {
    expect(loadConfig(compatible(`{ "url": "http://vllm:8000/v1/@team" }`), { env: {} }).ok).toBe(true);
    expect(
      loadConfig(withProvider(`{ "type": "awsBedrock", "region": "us-east-1", "endpoint": "us-east-1" }`), {
        env: {},
      }).ok,
    ).toBe(true);
  });
});

describe("header checks", () => {
  test("names are RFC 9110 tokens", () => {
    expect(headerNameProblem("x-api-key")).toBeUndefined();
    expect(headerNameProblem("anthropic-beta")).toBeUndefined();
    expect(headerNameProblem("x\u00e9")).toBeDefined();
    expect(headerNameProblem("a\nb")).toBeDefined();
  });

  test("values: what Node and undici accept", () => {
    expect(headerValueProblem("Bearer sk-abc")).toBeUndefined();
    expect(headerValueProblem("")).toBeUndefined();
    expect(headerValueProblem("a\u007fb")).toContain("control character (U+007F) at position 2 of 3");
    expect(headerValueProblem("\n")).toContain("line break (U+000A)");
  });
});
