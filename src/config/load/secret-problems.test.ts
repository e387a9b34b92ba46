// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${ENV} references.
import { expect, test } from "vitest";
import { formatProblem, loadConfig } from "../index.js";

/** Every problem line of a document that must not load. */
function problemLines(document: unknown): string[] {
  const result = loadConfig(JSON.stringify(document, null, 2), { env: {} });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems.map(formatProblem);
}

const provider = (serverSideConfig: Record<string, unknown>) => ({
  modelConfiguration: {
    providerOverrides: [{ id: "acme", serverSideConfig: { type: "openai", ...serverSideConfig } }],
  },
});

test.each([
  [
    "a malformed endpoint URL with a password",
    provider({ endpoint: "https://user:hunter2@[bad-host/v1" }),
    "modelConfiguration.providerOverrides[0].serverSideConfig.endpoint: `https://user:<redacted>@[bad-host/v1` is not a URL",
  ],
  [
    "a non-http endpoint with a password and a key parameter",
    provider({ endpoint: "ftp://user:hunter2@host/v1?api_key=hunter2" }),
    "`ftp://user:<redacted>@host/v1?api_key=<redacted>` must be an http:// or https:// URL",
  ],
  [
    "an actor source URL with a token parameter",
    { actors: { sources: [{ id: "s", url: "ldap://dir.test/?token=hunter2" }] } },
    "actors.sources[0].url: `ldap://dir.test/?token=<redacted>` must be an http:// or https:// URL",
  ],
  [
    "a tracing endpoint",
    { telemetry: { tracing: { endpoint: "otlp://u:hunter2@h/x" } } },
    "telemetry.tracing.endpoint: `otlp://u:<redacted>@h/x`",
  ],
  [
    "a storage URL written where the section belongs (quoted cut at 40 characters, after redaction)",
    { storage: "postgres://tollgate:hunter2hunter2hunter2hunter2@db:5432/x" },
    'storage: expected object, got the string "postgres://tollgate:<redacted>@db:5432/x"',
  ],
  [
    "an accessToken that is a number",
    provider({ accessToken: 1234567890 }),
    "serverSideConfig.accessToken: expected string, got a number",
  ],
  [
    "a master key that is a number",
    { secrets: { masterKey: 1234567890 } },
    "secrets.masterKey: expected string, got a number",
  ],
  [
    "a malformed master key",
    { secrets: { masterKey: "hunter2-is-not-base64" } },
    "secrets.masterKey: not a master key",
  ],
  [
    "headers written as one string",
    { actors: { sources: [{ id: "s", url: "https://dir.test", headers: "X-Api-Key: hunter2" }] } },
    "actors.sources[0].headers: expected record, got a string",
  ],
  [
    "a header value that is a number",
    { actors: { sources: [{ id: "s", url: "https://dir.test", headers: { "X-Api-Key": 1234567890 } }] } },
    'actors.sources[0].headers["X-Api-Key"]: expected string, got a number',
  ],
  [
    "tokens written as one string",
    { actors: [{ id: "a", tokens: "tg_hunter2" }] },
    "actors[0].tokens: expected array, got a string",
  ],
  [
    "a metrics token that is a number",
    { telemetry: { metrics: { token: 1234567890 } } },
    "telemetry.metrics.token: expected string, got a number",
  ],
  [
    "a key pasted inside ${…}",
    provider({ accessToken: "Bearer ${sk-hunter2}" }),
    "serverSideConfig.accessToken: `<redacted>` is not a valid reference",
  ],
])("%s: the problem names the path but not the secret", (_, document, expected) => {
  const lines = problemLines(document).join("\n");
  expect(lines).toContain(expected);
  expect(lines).not.toMatch(/hunter2|1234567890/);
});

test("a documentation placeholder in a secret setting is still quoted: it is no secret", () => {
  expect(problemLines(provider({ accessToken: "<ACCESS_TOKEN>" })).join("\n")).toContain(
    "`<ACCESS_TOKEN>` is a documentation placeholder",
  );
});

test("problems keep the values of settings that are not secrets", () => {
  expect(problemLines({ server: { port: "eighty" } }).join("\n")).toContain('got the string "eighty"');
});
