// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${ENV} references.
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import { parseDuration } from "./duration.js";
import { closest } from "./edit-distance.js";
import { normalizeEndpoint } from "./endpoint.js";
import { interpolate } from "./load/interpolate.js";
import { parseModelRef } from "./model-ref.js";
import { formatPath } from "./problems.js";
import { Secret } from "./secret.js";

describe("Secret", () => {
  const secret = new Secret("sk-live-123");
  test("is redacted in JSON.stringify, String() and util.inspect", () => {
    expect(JSON.stringify({ accessToken: secret })).toBe('{"accessToken":"<redacted>"}');
    expect(String(secret)).toBe("<redacted>");
    expect(`${secret}`).toBe("<redacted>");
    expect(inspect({ nested: { secret } })).not.toContain("sk-live");
    expect(inspect(secret)).toBe("<redacted>");
  });
  test("reveal() gives the value", () => {
    expect(secret.reveal()).toBe("sk-live-123");
  });
});

describe("parseModelRef", () => {
  test.each([
    ["anthropic::2023-06-01::claude-sonnet-4-5", true, ""],
    ["fireworks::v1::accounts/fireworks/models/x", true, ""],
    ["", false, "blank"],
    ["anthropic::claude", false, "has 2 parts"],
    ["a::b::c::d", false, "has 4 parts"],
    ["anthropic::::claude", false, "empty API version"],
    ["anthropic::v1::claude 3", false, "model ID `claude 3` contains ` `"],
    ["anthro:pic::v1::x", false, "provider ID"],
  ])("%s", (text, ok, message) => {
    const result = parseModelRef(text);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.message).toContain(message);
  });
});

describe("interpolate", () => {
  const env = { HOME: "/home/me", EMPTY: "" };
  test.each([
    ["plain", "plain"],
    ["${HOME}/x", "/home/me/x"],
    ["${MISSING:-fallback}", "fallback"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${HOME:-fallback}", "/home/me"],
    ["$${HOME}", "${HOME}"],
    ["cost $5", "cost $5"],
  ])("%s → %s", (input, expected) => {
    expect(interpolate(input, env)).toMatchObject({ ok: true, value: expected });
  });
  test("an unset variable without default names the variable", () => {
    expect(interpolate("${NOPE}", env)).toMatchObject({
      ok: false,
      message: expect.stringContaining("NOPE is not set"),
    });
  });
  test("malformed references are reported", () => {
    expect(interpolate("${1BAD}", env).ok).toBe(false);
    expect(interpolate("${OPEN", env).ok).toBe(false);
  });
});

test.each([
  ["https://api.anthropic.com/v1/messages", "https://api.anthropic.com"],
  ["https://api.openai.com", "https://api.openai.com"],
  ["https://api.openai.com/v1/chat/completions", "https://api.openai.com"],
  ["https://api.fireworks.ai/inference/v1/completions", "https://api.fireworks.ai"],
  ["https://generativelanguage.googleapis.com/v1beta/models", "https://generativelanguage.googleapis.com"],
  ["https://acme-test.openai.azure.com/", "https://acme-test.openai.azure.com"],
  ["https://proxy.example.com/anthropic/v1/messages", "https://proxy.example.com/anthropic"],
])("normalizeEndpoint(%s)", (input, expected) => {
  expect(normalizeEndpoint(input)).toBe(expected);
});

test("openai-compatible endpoints keep their /v1", () => {
  expect(normalizeEndpoint("https://api.fireworks.ai/inference/v1/", "openai-compatible")).toBe(
    "https://api.fireworks.ai/inference/v1",
  );
  expect(normalizeEndpoint("http://localhost:8000/v1/chat/completions", "openai-compatible")).toBe(
    "http://localhost:8000/v1",
  );
});

test.each([
  ["250ms", 250],
  ["30s", 30_000],
  ["1m", 60_000],
  ["1h", 3_600_000],
  ["1d", 86_400_000],
  ["1.5s", 1500],
  ["30", undefined],
  ["1w", undefined],
  ["-1s", undefined],
])("parseDuration(%s)", (input, expected) => {
  expect(parseDuration(input)).toBe(expected);
});

test("formatPath", () => {
  expect(formatPath(["modelConfiguration", "providerOverrides", 0, "serverSideConfig", "type"])).toBe(
    "modelConfiguration.providerOverrides[0].serverSideConfig.type",
  );
  expect(formatPath(["cody.enabled"])).toBe('["cody.enabled"]');
  expect(formatPath(["limits", "defaults", "*"])).toBe('limits.defaults["*"]');
  expect(formatPath([])).toBe("(root)");
});

test("closest suggests plausible typos only", () => {
  expect(closest("endpont", ["endpoint", "accessToken"])).toBe("endpoint");
  expect(closest("zzzzzzzz", ["endpoint", "accessToken"])).toBeUndefined();
});
