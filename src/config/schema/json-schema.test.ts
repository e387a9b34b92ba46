// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${ENV} references.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { type ParseError, parse } from "jsonc-parser";
import { describe, expect, test } from "vitest";
import { parseDuration } from "../duration.js";
import { findPlaceholder } from "../endpoint.js";
import { loadConfig } from "../load/load-config.js";
import { decodeMasterKey } from "../master-key-text.js";
import { PROVIDER_TYPES } from "./enums.js";
import {
  CONFIG_SCHEMA_FILE,
  DURATION_PATTERN,
  MASTER_KEY_PATTERN,
  PLACEHOLDER_PATTERN,
  SIZE_PATTERN,
  tollgateJsonSchema,
} from "./json-schema.js";

const ROOT = new URL("../../../", import.meta.url);
const readJsonc = (path: string): unknown => {
  const errors: ParseError[] = [];
  const value = parse(readFileSync(new URL(path, ROOT), "utf8"), errors, { allowTrailingComma: true });
  expect(errors, `${path} is not valid JSONC`).toEqual([]);
  return value;
};

type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };
const schema = tollgateJsonSchema() as Schema;
const at = (...keys: string[]): Schema =>
  keys.reduce<Schema>((node, key) => {
    const next = key === "[]" ? (node.items as Schema) : node.properties?.[key];
    if (!next) throw new Error(`no ${key} in the schema`);
    return next;
  }, schema);

// strictRequired is off because `required` inside `not`/`anyOf` names properties of the enclosing object, which
// that check does not look at; everything else is strict, so a keyword ajv does not know fails the test.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validate = ajv.compile(schema);
const errorsOf = (document: unknown) => (validate(document) ? [] : (validate.errors ?? []));

describe("the config file's JSON Schema", () => {
  test(`${CONFIG_SCHEMA_FILE} is what the zod schema gives now`, () => {
    const committed: unknown = JSON.parse(readFileSync(new URL(CONFIG_SCHEMA_FILE, ROOT), "utf8"));
    expect(committed, `${CONFIG_SCHEMA_FILE} is out of date: run \`npm run schema\``).toEqual(
      tollgateJsonSchema(),
    );
  });

  test("is draft 2020-12, titled, and describes the sections", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe("Tollgate configuration");
    expect(at("server").description).toBe("The HTTP listener.");
    expect(at("limits", "concurrencyLease").description).toMatch(/^How long a concurrency slot lives/);
  });

  test("unknown keys are refused at the top level and in every section", () => {
    expect(schema.additionalProperties).toBe(false);
    for (const [key, section] of Object.entries(schema.properties ?? {})) {
      if (section.type === "object") expect(section.additionalProperties, key).toBe(false);
    }
    expect(at("modelConfiguration", "providerOverrides", "[]").additionalProperties).toBe(false);
  });

  test("providerOverrides[].serverSideConfig.type lists every provider type", () => {
    const branches = at("modelConfiguration", "providerOverrides", "[]", "serverSideConfig")
      .oneOf as Schema[];
    const types = branches.map((branch) => branch.properties?.type?.const);
    expect(types.toSorted()).toEqual([...PROVIDER_TYPES].sort());
  });

  test("keys with defaults are optional, and defaults are written as a user writes them", () => {
    expect(schema.required).toBeUndefined();
    expect(at("server", "port").default).toBe(8080);
    expect(at("server", "bodyLimit").default).toBe(32 * 1024 * 1024);
    expect(at("server", "shutdownTimeout").default).toBe("30s");
    expect(at("limits", "concurrencyLease").default).toBe("30s");
    expect(at("usage", "retention").default).toBe("90d");
    expect(at("storage", "url").default).toBe("sqlite:.tollgate/tollgate.db");
  });

  test.each(["30s", "1.5m", "250ms", "1d", " 5m ", "30", "30000", "1w", "s", "-1s", "1 s", "1m30s"])(
    "the duration pattern agrees with parseDuration on %j",
    (text) => {
      expect(new RegExp(DURATION_PATTERN, "u").test(text)).toBe(parseDuration(text) !== undefined);
    },
  );

  test.each([
    "32MiB",
    "512kb",
    "10 MB",
    "1GiB",
    "100",
    "32 mib",
    "7B",
    "32MiBs",
    "1.5MiB",
    "-1",
    "MiB",
    "1tb",
  ])("the size pattern agrees with the zod schema on %j", (text) => {
    const loaded = loadConfig(JSON.stringify({ server: { bodyLimit: text } }), { env: {} });
    expect(new RegExp(SIZE_PATTERN, "u").test(text)).toBe(loaded.ok);
  });

  const key = Buffer.alloc(32, 0xfb);
  test.each([
    key.toString("base64"),
    key.toString("base64url"),
    ` ${key.toString("base64").slice(0, 43)}\n`,
    key.toString("hex"),
    key.subarray(0, 31).toString("base64"),
    Buffer.alloc(33).toString("base64"),
    `${key.toString("base64").slice(0, 42)}-/`,
    "k",
  ])("the master-key pattern agrees with decodeMasterKey on %j", (text) => {
    expect(new RegExp(MASTER_KEY_PATTERN, "u").test(text)).toBe(decodeMasterKey(text) !== undefined);
  });

  test.each(["<ARN>", "<VPC Endpoint URL>", "arn:aws:bedrock:<region>", "sk-123", "a < b > c", "<>"])(
    "the placeholder pattern agrees with findPlaceholder on %j",
    (text) => {
      expect(new RegExp(PLACEHOLDER_PATTERN, "u").test(text)).toBe(findPlaceholder(text) !== undefined);
    },
  );
});

describe("documents checked with the JSON Schema (ajv, draft 2020-12)", () => {
  test("tollgate.example.jsonc is valid", () => {
    expect(errorsOf(readJsonc("tollgate.example.jsonc"))).toEqual([]);
  });

  test("a document using ${} references, both actor forms' object form and Redis is valid", () => {
    const document = {
      server: { port: "${PORT:-8080}", bodyLimit: "10MiB", shutdownTimeout: "${SHUTDOWN:-5s}" },
      storage: { url: "postgres://tollgate:${PGPASSWORD}@db/tollgate" },
      redis: { url: "${REDIS_URL}", failMode: "closed" },
      actors: {
        list: [{ id: "ci", tokens: ["${CI_TOKEN}", { sha256: "A".repeat(64) }] }],
        sources: [{ id: "hr", url: "https://hr.example/actors", syncInterval: "10m" }],
      },
      limits: { defaults: { "*": { concurrent: 2 } }, timeZone: "Europe/Berlin" },
    };
    expect(errorsOf(document)).toEqual([]);
    expect(
      loadConfig(JSON.stringify(document), {
        env: { PGPASSWORD: "p", REDIS_URL: "redis://r", CI_TOKEN: "t" },
      }),
    ).toMatchObject({ ok: true });
  });

  test("actors are a list or `{ list, sources }`, nothing else", () => {
    for (const actors of [[{ id: "a" }], { list: [{ id: "a" }] }, { sources: [] }]) {
      expect(errorsOf({ actors })).toEqual([]);
      expect(loadConfig(JSON.stringify({ actors }), { env: {} }).ok).toBe(true);
    }
    for (const actors of [{ list: [], lists: [] }, "team-a", { id: "a" }]) {
      expect(errorsOf({ actors })).not.toEqual([]);
      expect(loadConfig(JSON.stringify({ actors }), { env: {} }).ok).toBe(false);
    }
  });

  test("a misspelt key is refused, naming the key and where it is", () => {
    const errors = errorsOf({ server: { prot: 8080 }, modelConfiguration: { providerOverides: [] } });
    expect(errors.map((error) => [error.instancePath, error.params])).toEqual([
      ["/server", { additionalProperty: "prot" }],
      ["/modelConfiguration", { additionalProperty: "providerOverides" }],
    ]);
  });

  test.each([
    ["a duration as a number", { server: { shutdownTimeout: 30000 } }],
    ["a request limit without an interval", { limits: { defaults: { chat: { requests: 5 } } } }],
    ["an empty limit", { limits: { defaults: { chat: {} } } }],
    [
      "both master-key settings",
      { secrets: { masterKey: Buffer.alloc(32).toString("base64"), masterKeyFile: "/k" } },
    ],
    ["a master key that is not 32 bytes in base64", { secrets: { masterKey: "hunter2" } }],
    ["a previous key that is not 32 bytes in base64", { secrets: { previousKeys: ["k".repeat(44)] } }],
    ["a storage URL of an unknown database", { storage: { url: "mysql://db/tollgate" } }],
    ["a size with an unknown unit", { server: { bodyLimit: "32MiBs" } }],
    [
      "a provider type that does not exist",
      { modelConfiguration: { providerOverrides: [{ id: "x", serverSideConfig: { type: "bedrock" } }] } },
    ],
    ["a token hash that is not 64 hex digits", { actors: [{ id: "a", tokens: [{ sha256: "abc" }] }] }],
    [
      "a documentation placeholder as a key",
      { modelConfiguration: { sourcegraph: { accessToken: "<TOKEN>" } } },
    ],
  ])("%s is refused by both the JSON Schema and loadConfig", (_name, document) => {
    expect(errorsOf(document)).not.toEqual([]);
    expect(loadConfig(JSON.stringify(document), { env: {} }).ok).toBe(false);
  });

  // The Cody documentation examples are site configs (`cody.enabled`…), which the schema of tollgate.jsonc does
  // not describe; their modelConfiguration is what it must accept.
  const codyExample = (name: string) => ({
    modelConfiguration: (readJsonc(`test/fixtures/cody-examples/${name}`) as { modelConfiguration: unknown })
      .modelConfiguration,
  });

  // 01–03 are not valid JSON as published (test/fixtures/cody-examples/README.md); 09 has a semantic error only.
  test.each([
    "04-fireworks.jsonc",
    "05-openai.jsonc",
    "06-azure-openai.jsonc",
    "07-openai-compatible.jsonc",
    "08-google-gemini.jsonc",
    "09-google-vertex-anthropic.jsonc",
  ])("the modelConfiguration of Cody's %s is valid", (name) => {
    expect(errorsOf(codyExample(name))).toEqual([]);
  });

  test("Cody's 10-aws-bedrock.jsonc is refused for its placeholders", () => {
    const placeholders = errorsOf(codyExample("10-aws-bedrock.jsonc"))
      .filter((error) => error.keyword === "not")
      .map((error) => error.instancePath);
    expect(new Set(placeholders)).toEqual(
      new Set([
        "/modelConfiguration/providerOverrides/0/serverSideConfig/accessToken",
        "/modelConfiguration/providerOverrides/0/serverSideConfig/endpoint",
        "/modelConfiguration/modelOverrides/0/serverSideConfig/arn",
      ]),
    );
  });
});
