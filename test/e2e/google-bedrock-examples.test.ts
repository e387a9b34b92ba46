/**
 * The google and awsBedrock provider types from other angles: the Responses API (`openai.responses.create` and
 * `.stream`) to a Gemini and a Bedrock Converse model; every answer naming its model and carrying an id; and
 * Cody's documented examples served for real: 08 (Gemini API, its `…/v1beta/models` endpoint pointed at the
 * mock) and a corrected 10 (AWS Bedrock: its placeholders filled with a region, static keys, the mock as VPC
 * endpoint and a provisioned-throughput ARN). That 10 as shipped fails on its placeholders is tested in
 * test/config/cody-examples.test.ts.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cloudExpected } from "../mock-upstream/cloud-recordings.js";
import {
  awsKeyId,
  awsSecret,
  outcomeFor,
  type RunningGateway,
  refs,
  startGatewayFor,
  until,
  useCloudHarness,
} from "./cloud-harness.js";
import { callAnthropic, callOpenAI } from "./proxy-sdk-calls.js";

// biome-ignore lint/suspicious/noExplicitAny: SDK results of any shape.
type Loose = any;

const h = useCloudHarness();

async function responsesCall(params: Loose, stream: boolean): Promise<{ response: Loose; events: Loose[] }> {
  if (!stream) return { response: await h.openai.responses.create(params), events: [] };
  const events: Loose[] = [];
  const running = h.openai.responses.stream(params);
  for await (const event of running) events.push(event);
  return { response: await running.finalResponse(), events };
}

describe("the Responses API", () => {
  const cells = [
    { ref: refs.gemini, target: "gemini" as const, path: "/gemini/v1beta/models/gemini-3-pro-preview:" },
    {
      ref: refs.converse,
      target: "bedrock-converse" as const,
      path: "/bedrock/model/us.amazon.nova-2-lite-v1%3A0/",
    },
  ].flatMap((cell) => [false, true].map((stream) => ({ ...cell, stream })));

  it.each(cells)("responses → $target stream=$stream", async ({ ref, target, path, stream }) => {
    const expected = cloudExpected(target, "text", stream);
    const { response, events } = await responsesCall(
      {
        model: ref,
        instructions: "Be brief.",
        input: "Count the r's in strawberry.",
        max_output_tokens: 500,
      },
      stream,
    );
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe(expected.text);
    expect(response.usage).toMatchObject({
      input_tokens: expected.usage.inputTokens,
      output_tokens: expected.usage.outputTokens,
    });
    if (stream) {
      const deltas = events.filter((event) => event.type === "response.output_text.delta");
      expect(deltas.map((event) => event.delta).join("")).toBe(expected.text);
      expect(events.at(-1)?.type).toBe("response.completed");
    }
    const outcome = await outcomeFor(h, ref);
    expect(outcome).toMatchObject({ route: "/v1/responses", status: 200, stream });
    expect(outcome.usage).toMatchObject(expected.usage);
    const received = h.cloud.last(target === "gemini" ? "/gemini/" : "/bedrock/");
    expect(received.path.startsWith(path)).toBe(true);
    if (target === "gemini") {
      expect(JSON.stringify(received.body.systemInstruction)).toContain("Be brief.");
      expect(received.body.generationConfig.maxOutputTokens).toBe(500);
    } else {
      expect(received.body.system).toEqual([{ text: "Be brief." }]);
      expect(received.body.inferenceConfig.maxTokens).toBe(500);
      expect(h.cloud.lastBedrock().verdict).toMatchObject({ ok: true });
    }
  });
});

describe("every answer names its model and carries an id", () => {
  const cells = [refs.gemini, refs.vertex, refs.vertexClaude, refs.invoke, refs.converse].flatMap((ref) =>
    [false, true].map((stream) => ({ ref, stream })),
  );

  it.each(cells)("$ref stream=$stream", async ({ ref, stream }) => {
    const messages = [{ role: "user", content: "Hello" }];
    const openai = await callOpenAI(h.openai, { model: ref, messages }, stream);
    expect(openai.id).not.toBe("");
    const anthropic = await callAnthropic(h.anthropic, { model: ref, max_tokens: 256, messages }, stream);
    expect(anthropic.message.id).not.toBe("");
    expect(anthropic.message.model).not.toBe("");
  });
});

describe("Cody's examples", () => {
  const examples = join(import.meta.dirname, "../fixtures/cody-examples");
  const gateways: RunningGateway[] = [];
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
  });

  it("08-google-gemini.jsonc, its endpoint pointed at the mock, serves a chat request", async () => {
    const text = await readFile(join(examples, "08-google-gemini.jsonc"), "utf8");
    const endpoint = "https://generativelanguage.googleapis.com/v1beta/models";
    expect(text).toContain(endpoint);
    // Only the host changes: Cody's `/v1beta/models` suffix stays, for the gateway to strip.
    const running = await startGatewayFor(
      h.dir,
      text.replace(endpoint, `${h.cloud.url}/gemini/v1beta/models`),
    );
    gateways.push(running);
    const expected = cloudExpected("gemini", "text", false);
    const result = await callOpenAI(
      running.openai,
      { model: "google::v1::gemini-1.5-pro", messages: [{ role: "user", content: "Hello" }] },
      false,
    );
    expect(result.text).toBe(expected.text);
    const received = h.cloud.last("/gemini/");
    expect(received.path).toBe("/gemini/v1beta/models/gemini-1.5-pro:generateContent");
    // The example's own key.
    expect(received.headers["x-goog-api-key"]).toBe("token");
    const outcome = await outcomeFor(running, "google::v1::gemini-1.5-pro");
    expect(outcome).toMatchObject({ status: 200, providerId: "google" });
    expect(outcome.usage).toMatchObject(expected.usage);
  });

  it("10-aws-bedrock.jsonc with its placeholders filled serves a chat request through the provisioned model", async () => {
    const text = await readFile(join(examples, "10-aws-bedrock.jsonc"), "utf8");
    const arn = "arn:aws:bedrock:us-west-2:537452198621:provisioned-model/57z3lgkt1cx2";
    const corrected = text
      .replace("<ACCESS_KEY_ID>:<SECRET_ACCESS_KEY>", `${awsKeyId}:${awsSecret}`)
      .replace("<VPC Endpoint URL>", `${h.cloud.url}/bedrock`)
      .replace('"<ARN>"', JSON.stringify(arn));
    expect(corrected).not.toMatch(/<[A-Za-z][A-Za-z0-9 _-]*>/);
    const running = await startGatewayFor(h.dir, corrected);
    gateways.push(running);
    const model = "aws-bedrock::2025-02-19::claude-3-7-sonnet";
    for (const stream of [false, true]) {
      h.cloud.clear();
      const expected = cloudExpected("bedrock-invoke", "text", stream);
      const result = await callAnthropic(
        running.anthropic,
        { model, max_tokens: 1024, messages: [{ role: "user", content: "Hello" }] },
        stream,
      );
      expect(result.text).toBe(expected.text);
      expect(result.usage.output_tokens).toBe(expected.usage.outputTokens);
      const call = h.cloud.lastBedrock();
      expect(call.rawPath).toBe(
        `/bedrock/model/${encodeURIComponent(arn)}/${stream ? "invoke-with-response-stream" : "invoke"}`,
      );
      expect(call.rawModelId).toContain(
        "arn%3Aaws%3Abedrock%3Aus-west-2%3A537452198621%3Aprovisioned-model%2F",
      );
      expect(call.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
      expect(call.request.headers.authorization).toMatch(
        /Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\//,
      );
      expect(call.request.body.anthropic_version).toBe("bedrock-2023-05-31");
      const outcome = await until(
        () => running.outcomes.filter((entry) => entry.modelRef === model)[stream ? 1 : 0],
      );
      expect(outcome).toMatchObject({ status: 200, providerId: "aws-bedrock", stream });
      expect(outcome.usage).toMatchObject(expected.usage);
    }
  });
});
