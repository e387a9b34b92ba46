import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { startTestGateway } from "../support/gateway.js";

/** Model listings show only what the caller may use now (DESIGN §8 "Model listings"), through the real gateway. */

const tokens = {
  narrow: "tg_e2e_listing_narrow_0123456789abcdef",
  open: "tg_e2e_listing_open_0123456789abcdef",
};
const env = (name: string) => `$\{${name}}`;

const anthropicModels = ["anthropic::v1::claude", "anthropic::v1::shared"];
const openaiModels = ["openai::v1::gpt", "openai::v1::shared", "openai::v1::complete"];
/** No key and no user keys: unavailable, so listed to nobody. */
const unavailableModel = "keyless::v1::model";

function config(storage: string): string {
  const model = (ref: string, capabilities = ["chat"]) => ({
    modelRef: ref,
    modelName: ref.split("::")[2],
    displayName: `Display ${ref}`,
    capabilities,
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 4000 },
  });
  // Nothing is proxied here, so the endpoints need not answer.
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: "http://127.0.0.1:9/openai", accessToken: "sk-test" },
        },
        {
          id: "anthropic",
          serverSideConfig: {
            type: "anthropic",
            endpoint: "http://127.0.0.1:9/anthropic",
            accessToken: "sk-ant-test",
          },
        },
        { id: "keyless", serverSideConfig: { type: "openai", endpoint: "http://127.0.0.1:9/keyless" } },
      ],
      modelOverrides: [
        ...anthropicModels.map((ref) => model(ref, ["chat", "autocomplete"])),
        ...openaiModels.map((ref) => model(ref, ["chat", "autocomplete"])),
        model(unavailableModel),
      ],
      defaultModels: {
        chat: "openai::v1::gpt",
        fastChat: "anthropic::v1::claude",
        codeCompletion: "openai::v1::complete",
      },
    },
    actors: [
      { id: "narrow", tokens: [env("NARROW")], allowedModels: ["anthropic::*"] },
      { id: "open", tokens: [env("OPEN")] },
    ],
  });
}

describe("model listings through the gateway", () => {
  let dir: string;
  let gateway: Gateway;
  const get = async (path: string, token: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${gateway.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const listedIds = async (token: string) =>
    ((await get("/v1/models", token)).body.data as { id: string }[]).map((model) => model.id);
  const modelConfig = async (token: string) =>
    (await get("/v1/modelconfig", token)).body as {
      providers: { id: string }[];
      models: { modelRef: string }[];
      defaultModels: Record<string, string>;
    };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-listing-"));
    const file = join(dir, "tollgate.jsonc");
    await writeFile(file, config(join(dir, "tollgate.db")));
    gateway = await startTestGateway({ file, dir, configEnv: { NARROW: tokens.narrow, OPEN: tokens.open } });
  });
  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("an actor with allowedModels anthropic::* sees only Anthropic models in /v1/models", async () => {
    expect((await listedIds(tokens.narrow)).sort()).toEqual([...anthropicModels].sort());
    // Through the OpenAI SDK as well, which is how editors list models.
    const sdk = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: tokens.narrow, maxRetries: 0 });
    const viaSdk: string[] = [];
    for await (const model of sdk.models.list()) viaSdk.push(model.id);
    expect(viaSdk.sort()).toEqual([...anthropicModels].sort());
  });

  it("an actor with allowedModels anthropic::* gets its models from /v1/models/{ref or id}, and a bare id resolves among its own models", async () => {
    for (const ref of anthropicModels) {
      const found = await get(`/v1/models/${ref}`, tokens.narrow);
      expect(found.status).toBe(200);
      expect(found.body.id).toBe(ref);
    }
    // `shared` is ambiguous among every model, but unique among the caller's.
    const shared = await get("/v1/models/shared", tokens.narrow);
    expect(shared.status).toBe(200);
    expect(shared.body.id).toBe("anthropic::v1::shared");
    expect((await get("/v1/models/shared", tokens.open)).status).toBe(400);
  });

  it("a model id that is not valid percent-encoding is a 400 in the route's dialect, not a 500", async () => {
    for (const path of ["/v1/models/%25", "/v1/models/%E0%A4"]) {
      const answer = await get(path, tokens.open);
      expect(answer.status).toBe(400);
      expect((answer.body.error as { type: string }).type, path).toBe("invalid_request_error");
    }
  });

  it("answers 404 for a model outside the caller's allowed models, exactly as for an unknown model", async () => {
    const unknown = await get("/v1/models/openai::v1::nonexistent", tokens.narrow);
    expect(unknown.status).toBe(404);
    for (const id of [...openaiModels, "gpt", "complete"]) {
      const hidden = await get(`/v1/models/${id}`, tokens.narrow);
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual({
        error: {
          ...(unknown.body.error as object),
          message: `model \`${id}\` does not exist or is not available`,
        },
      });
    }
    // The same models are there for a caller that may use them.
    expect((await get("/v1/models/openai::v1::gpt", tokens.open)).status).toBe(200);
  });

  it("an actor with allowedModels anthropic::* sees only Anthropic models, their provider and usable defaults in /v1/modelconfig", async () => {
    const narrow = await modelConfig(tokens.narrow);
    expect(narrow.models.map((model) => model.modelRef).sort()).toEqual([...anthropicModels].sort());
    expect(narrow.providers.map((provider) => provider.id)).toEqual(["anthropic"]);
    // Defaults the caller may not use are left empty (Cody's "unset"), not replaced and not revealed.
    expect(narrow.defaultModels).toEqual({ chat: "", fastChat: "anthropic::v1::claude", codeCompletion: "" });
    expect(JSON.stringify(narrow)).not.toContain("openai");
  });

  it("an actor without allowedModels sees every available model in all three routes, and no unavailable one", async () => {
    const everyAvailable = [...anthropicModels, ...openaiModels].sort();
    expect((await listedIds(tokens.open)).sort()).toEqual(everyAvailable);
    for (const ref of everyAvailable) expect((await get(`/v1/models/${ref}`, tokens.open)).status).toBe(200);
    expect((await get(`/v1/models/${unavailableModel}`, tokens.open)).status).toBe(404);
    const open = await modelConfig(tokens.open);
    expect(open.models.map((model) => model.modelRef).sort()).toEqual(everyAvailable);
    expect(open.providers.map((provider) => provider.id).sort()).toEqual(["anthropic", "openai"]);
    expect(open.defaultModels).toEqual({
      chat: "openai::v1::gpt",
      fastChat: "anthropic::v1::claude",
      codeCompletion: "openai::v1::complete",
    });
  });

  it("answers /v1/models in Anthropic's list shape when the request carries anthropic-version", async () => {
    const { status, body } = await get("/v1/models", tokens.narrow, { "anthropic-version": "2023-06-01" });
    expect(status).toBe(200);
    const data = body.data as Record<string, unknown>[];
    expect(body).toEqual({
      data,
      has_more: false,
      first_id: data[0]?.id,
      last_id: data.at(-1)?.id,
    });
    expect(data.map((model) => model.id).sort()).toEqual([...anthropicModels].sort());
    for (const model of data) {
      expect(model).toMatchObject({ type: "model", display_name: `Display ${model.id}` });
      expect(new Date(model.created_at as string).toISOString()).toBe(
        (model.created_at as string).replace("Z", ".000Z"),
      );
    }

    // The Anthropic SDK (which sends anthropic-version) lists, retrieves, and gets its own 404 error shape.
    const sdk = new Anthropic({ baseURL: gateway.url, apiKey: tokens.narrow, maxRetries: 0 });
    const viaSdk: string[] = [];
    for await (const model of sdk.models.list()) viaSdk.push(model.id);
    expect(viaSdk.sort()).toEqual([...anthropicModels].sort());
    const one = await sdk.models.retrieve("anthropic::v1::claude");
    expect(one).toMatchObject({
      type: "model",
      id: "anthropic::v1::claude",
      display_name: "Display anthropic::v1::claude",
    });
    const hidden = await sdk.models.retrieve("openai::v1::gpt").catch((error: unknown) => error);
    expect(hidden).toBeInstanceOf(Anthropic.NotFoundError);
    expect((hidden as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
  });
});
