import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../canonical/validate.js";
import { responsesEnvelope } from "./responses-envelope.js";
import { responsesToCanonicalRequest } from "./responses-request-parse.js";

describe("responsesEnvelope", () => {
  it("routes a body the strict parser refuses (a content part type it does not know yet)", () => {
    const body = {
      model: "gpt-5.5",
      stream: true,
      max_output_tokens: 800,
      instructions: "Be brief.",
      input: [{ role: "user", content: [{ type: "input_hologram", data: "…" }] }],
    };
    expect(responsesToCanonicalRequest(body).ok).toBe(false);
    const envelope = responsesEnvelope(body);
    expect(envelope?.request).toEqual({
      model: "gpt-5.5",
      system: [],
      messages: [],
      stream: true,
      includeUsage: true,
      maxOutputTokens: 800,
      extra: {},
    });
    expect(envelope?.estimatedInputTokens).toBe(
      Math.ceil((JSON.stringify(body.instructions).length + JSON.stringify(body.input).length) / 4),
    );
  });

  const refused: Array<[string, JsonObject]> = [
    ["a model that is not a string", { model: 5, input: "x" }],
    ["a stream that is not a boolean", { stream: "yes", input: "x" }],
    ["max_output_tokens that is not a positive integer", { input: "x", max_output_tokens: 1.5 }],
    ["no input and nothing stored", { model: "m" }],
    ["input of the wrong type", { input: { role: "user" } }],
  ];
  it.each(refused)("has none for %s", (_name, body) => {
    expect(responsesEnvelope(body)).toBeUndefined();
  });

  it("accepts a body without input when the conversation is stored at OpenAI", () => {
    expect(responsesEnvelope({ previous_response_id: "resp_1" })?.request.messages).toEqual([]);
  });
});
