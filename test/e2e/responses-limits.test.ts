/**
 * Admission on `POST /v1/responses` as on the other chat routes: an actor's allowed models, and its request
 * limit for the chat feature, which chat completions and Responses calls share.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

/** A `${NAME}` reference to the environment, as the config file format writes it. */
const env = (name: string) => `$\{${name}}`;

const tokens = {
  narrow: "tg_e2e_resp_narrow_0123456789abcdef",
  counted: "tg_e2e_resp_counted_0123456789abcdef",
};

function config(mock: string, storage: string): string {
  const model = (provider: string, id: string) => ({
    modelRef: `${provider}::v1::${id}`,
    modelName: id,
    capabilities: ["chat", "tools"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: "sk-test" },
        },
        {
          id: "anthropic",
          serverSideConfig: { type: "anthropic", endpoint: `${mock}/anthropic`, accessToken: "sk-ant-test" },
        },
      ],
      modelOverrides: [model("openai", "text"), model("openai", "tools"), model("anthropic", "text")],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
    actors: [
      { id: "narrow", tokens: [env("NARROW")], allowedModels: ["openai::v1::text"] },
      { id: "counted", tokens: [env("COUNTED")], limits: { chat: { requests: 3, interval: "1h" } } },
    ],
  });
}

describe("admission on /v1/responses", () => {
  let dir: string;
  let mock: MockUpstream;
  let gateway: Gateway;
  const client = (token: string) =>
    new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: token, maxRetries: 0 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-responses-limits-"));
    mock = await startMockUpstream();
    const file = join(dir, "tollgate.jsonc");
    await writeFile(file, config(mock.url, join(dir, "tollgate.db")));
    gateway = await startTestGateway({
      file,
      dir,
      configEnv: { NARROW: tokens.narrow, COUNTED: tokens.counted },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await mock?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a model outside the actor's allowed models with 403, before any upstream call", async () => {
    const allowed = await client(tokens.narrow).responses.create({ model: "openai::v1::text", input: "hi" });
    expect(allowed.status).toBe("completed");
    const before = mock.requests.length;
    for (const model of ["openai::v1::tools", "anthropic::v1::text"]) {
      const refused = await client(tokens.narrow)
        .responses.create({ model, input: "hi" })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
      expect((refused as Error).message).toContain(model);
    }
    expect(mock.requests.length).toBe(before);
  });

  it("counts Responses calls with chat completions in the chat limit: the fourth is 429", async () => {
    const counted = client(tokens.counted);
    const first = await counted.responses.create({ model: "openai::v1::text", input: "hi" }).withResponse();
    expect(first.response.headers.get("x-ratelimit-limit-requests")).toBe("3");
    expect(first.response.headers.get("x-ratelimit-remaining-requests")).toBe("2");
    await counted.chat.completions.create({
      model: "openai::v1::text",
      messages: [{ role: "user", content: "hi" }],
    });
    const stream = await counted.responses.create({
      model: "anthropic::v1::text",
      input: "hi",
      stream: true,
    });
    for await (const _event of stream) {
      // Drained: the third call counts once it is admitted.
    }
    const refused = (await counted.responses
      .create({ model: "openai::v1::text", input: "hi" })
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.error).toMatchObject({ message: expect.stringMatching(/request/i) });
  });
});
