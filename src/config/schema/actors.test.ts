// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${ENV} references.
import { describe, expect, test } from "vitest";
import { hashToken } from "../../auth/token.js";
import { loadConfig, type Problem } from "../index.js";

const MODELS = `"modelConfiguration": { "sourcegraph": null, "providerOverrides": [{ "id": "acme", "displayName": "Acme", "serverSideConfig": { "type": "openai", "accessToken": "k" } }], "modelOverrides": [{ "modelRef": "acme::v1::m", "displayName": "M", "modelName": "m", "capabilities": ["chat", "autocomplete"], "category": "balanced", "status": "stable", "contextWindow": { "maxInputTokens": 1000, "maxOutputTokens": 100 } }] }`;

function load(actors: string, env: Record<string, string> = {}) {
  return loadConfig(`{ ${MODELS}, "actors": ${actors} }`, { env });
}

function errors(actors: string, env: Record<string, string> = {}): Problem[] {
  const result = load(actors, env);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems.filter((problem) => problem.severity === "error");
}

describe("actors section", () => {
  test("absent: no actors and no sources", () => {
    const result = loadConfig(`{ ${MODELS} }`, { env: {} });
    expect(result.ok && result.config.actors).toEqual({ list: [], sources: [] });
  });

  test("the array form (DESIGN §4) loads into the object form", () => {
    const result = load(`[{ "id": "team-a", "tokens": ["\${T}"] }]`, { T: "tg_secret_value" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.actors.sources).toEqual([]);
    expect(result.config.actors.list).toHaveLength(1);
    expect(result.config.actors.list[0]).toMatchObject({ id: "team-a", role: "user", status: "active" });
    expect(result.config.actors.list[0]!.tokens[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(result.config)).not.toContain("tg_secret_value");
  });

  test("a legacy sgs_ Cody token is kept as its slk_ form, as both are looked up", () => {
    const hex = "ab".repeat(32);
    const legacy = load(`[{ "id": "i", "tokens": ["sgs_${hex}"] }]`);
    const current = load(`[{ "id": "i", "tokens": ["slk_${hex}"] }]`);
    expect(legacy.ok && current.ok).toBe(true);
    if (!legacy.ok || !current.ok) return;
    expect(legacy.config.actors.list[0]!.tokens[0]!.sha256).toBe(
      current.config.actors.list[0]!.tokens[0]!.sha256,
    );
    expect(legacy.config.actors.list[0]!.tokens[0]!.sha256).toBe(hashToken(`sgs_${hex}`));
  });

  test("the object form with sources: defaults, durations, secrets", () => {
    const result = load(
      `{ "list": [{ "id": "a", "role": "admin" }], "sources": [
        { "id": "hr", "url": "https://idp.example.com/actors", "authorization": "Bearer \${SRC}" },
        { "id": "ops", "url": "http://127.0.0.1:9000/a", "headers": { "x-api-key": "k" }, "syncInterval": "30s", "maxStaleness": "10m", "timeout": "2s" }
      ] }`,
      { SRC: "source-secret" },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [hr, ops] = result.config.actors.sources;
    expect(hr).toMatchObject({ id: "hr", syncInterval: 300_000, maxStaleness: 3_600_000, timeout: 10_000 });
    expect(hr!.authorization!.reveal()).toBe("Bearer source-secret");
    expect(ops).toMatchObject({ syncInterval: 30_000, maxStaleness: 600_000, timeout: 2_000 });
    expect(ops!.headers!["x-api-key"]!.reveal()).toBe("k");
    expect(JSON.stringify(result.config)).not.toContain("source-secret");
    expect(result.config.actors.list[0]).toMatchObject({ id: "a", role: "admin" });
  });

  test("problems keep the path of the form written", () => {
    expect(errors(`[{ "id": "a" }, { "id": "a" }]`)[0]).toMatchObject({
      path: "actors[1].id",
      message: "actor id `a` is already used by actors[0]",
    });
    expect(errors(`{ "list": [{ "id": "a" }, { "id": "a" }] }`)[0]).toMatchObject({
      path: "actors.list[1].id",
    });
    expect(errors(`{ "list": [{ "id": "a", "rol": "user" }] }`)[0]).toMatchObject({
      path: "actors.list[0].rol",
      message: "unknown key `rol` (did you mean `role`?)",
    });
    expect(errors(`{ "sourcse": [] }`)[0]!.message).toBe("unknown key `sourcse` (did you mean `sources`?)");
    expect(errors(`5`)[0]).toMatchObject({
      path: "actors",
      message: 'expected a list of actors, or an object `{ "list": [...], "sources": [...] }`',
    });
  });

  test("sources are validated: url, durations, unique ids", () => {
    expect(errors(`{ "sources": [{ "id": "s", "url": "ftp://x" }] }`)[0]).toMatchObject({
      path: "actors.sources[0].url",
    });
    expect(
      errors(`{ "sources": [{ "id": "s", "url": "http://x", "syncInterval": "soon" }] }`)[0],
    ).toMatchObject({ path: "actors.sources[0].syncInterval" });
    expect(
      errors(`{ "sources": [{ "id": "s", "url": "http://x" }, { "id": "s", "url": "http://y" }] }`)[0],
    ).toMatchObject({ path: "actors.sources[1].id", message: "source id `s` is already used by sources[0]" });
    expect(errors(`{ "sources": [{ "url": "http://x" }] }`)[0]).toMatchObject({
      path: "actors.sources[0].id",
    });
  });
});
