/**
 * Regression tests of issue 15's bad-input findings at the dialects: each parser refuses what no upstream can
 * take (an empty conversation, media bytes that are not what they claim, tool arguments or schemas nested past
 * the bound) with a field error marked fatal, so a same-dialect pass-through refuses it too.
 */
import { describe, expect, it } from "vitest";
import type { FieldError } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import { canonicalToAnthropicRequest } from "./anthropic/anthropic-request-build.js";
import {
  anthropicCountTokensToCanonicalRequest,
  anthropicToCanonicalRequest,
} from "./anthropic/anthropic-request-parse.js";
import { canonicalToConverseRequest } from "./bedrock-converse/converse-request-build.js";
import { canonicalToGeminiRequest } from "./gemini/gemini-request-build.js";
import { maxSchemaDepth, maxSchemaNodes } from "./gemini/gemini-schema.js";
import { openaiChatToCanonicalRequest } from "./openai/openai-chat-request-parse.js";
import { openaiCompletionsToCanonicalRequest } from "./openai/openai-completions.js";
import { responsesToCanonicalRequest } from "./openai-responses/responses-request-parse.js";

const pngData = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString("base64");
const textData = Buffer.from("definitely not an image").toString("base64");

function refused(result: { ok: true } | { ok: false; error: FieldError }): FieldError {
  if (result.ok) throw new Error("expected a refusal");
  return result.error;
}

describe("an empty conversation is refused, not sent upstream", () => {
  it.each([
    ["OpenAI chat", () => openaiChatToCanonicalRequest({ model: "m", messages: [] }), "messages"],
    ["Anthropic", () => anthropicToCanonicalRequest({ model: "m", max_tokens: 5, messages: [] }), "messages"],
    ["count_tokens", () => anthropicCountTokensToCanonicalRequest({ model: "m", messages: [] }), "messages"],
    ["Responses, empty list", () => responsesToCanonicalRequest({ model: "m", input: [] }), "input"],
    ["Responses, empty text", () => responsesToCanonicalRequest({ model: "m", input: "" }), "input"],
    ["completions", () => openaiCompletionsToCanonicalRequest({ model: "m", prompt: "" }), "prompt"],
  ])("%s", (_dialect, parse, field) => {
    const error = refused(parse());
    expect(error).toMatchObject({ field, fatal: true });
    expect(error.message).toMatch(new RegExp(`^${field}: must not be empty`));
  });

  it("keeps what is not empty: a Responses input continuing a stored response, a FIM prompt with a suffix", () => {
    expect(responsesToCanonicalRequest({ input: [], previous_response_id: "resp_1" }).ok).toBe(true);
    expect(openaiCompletionsToCanonicalRequest({ prompt: "", suffix: "}\n" }).ok).toBe(true);
  });
});

describe("media whose bytes are not what they claim is refused, naming the part", () => {
  const anthropicImage = (data: string) => ({
    model: "m",
    max_tokens: 5,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "what is this?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data } },
        ],
      },
    ],
  });
  const chatImage = (url: string) => ({
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
  });

  it.each([
    [
      "Anthropic image, text bytes",
      () => anthropicToCanonicalRequest(anthropicImage(textData)),
      "messages[0].content[1].source.data",
      /not image\/png data/,
    ],
    [
      "Anthropic image, not base64",
      () => anthropicToCanonicalRequest(anthropicImage("%%% not base64 %%%")),
      "messages[0].content[1].source.data",
      /not valid base64/,
    ],
    [
      "Anthropic PDF document",
      () =>
        anthropicToCanonicalRequest({
          max_tokens: 5,
          messages: [
            {
              role: "user",
              content: [
                {
                  type: "document",
                  source: { type: "base64", media_type: "application/pdf", data: pngData },
                },
              ],
            },
          ],
        }),
      "messages[0].content[0].source.data",
      /not application\/pdf data/,
    ],
    [
      "OpenAI data URL",
      () => openaiChatToCanonicalRequest(chatImage(`data:image/jpeg;base64,${pngData}`)),
      "messages[0].content[0].image_url.url",
      /not image\/jpeg data/,
    ],
    [
      "OpenAI file part",
      () =>
        openaiChatToCanonicalRequest({
          messages: [
            {
              role: "user",
              content: [
                { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,@@@@" } },
              ],
            },
          ],
        }),
      "messages[0].content[0].file.file_data",
      /not valid base64/,
    ],
    [
      "Responses input_image",
      () =>
        responsesToCanonicalRequest({
          input: [
            {
              role: "user",
              content: [{ type: "input_image", image_url: `data:image/gif;base64,${textData}` }],
            },
          ],
        }),
      "input[0].content[0].image_url",
      /not image\/gif data/,
    ],
  ])("%s", (_case, parse, field, message) => {
    const error = refused(parse());
    expect(error).toMatchObject({ field, fatal: true });
    expect(error.message).toMatch(message);
  });

  it("accepts real image bytes", () => {
    expect(anthropicToCanonicalRequest(anthropicImage(pngData)).ok).toBe(true);
    expect(openaiChatToCanonicalRequest(chatImage(`data:image/png;base64,${pngData}`)).ok).toBe(true);
  });
});

describe("nesting past the bounds is a field error, never a stack overflow", () => {
  const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const canonical = (overrides: Partial<CanonicalRequest>): CanonicalRequest => ({
    model: "m",
    system: [],
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    stream: false,
    includeUsage: false,
    extra: {},
    ...overrides,
  });

  it("tool call arguments (a JSON string, so past the body's bound) nested 100,000 levels", () => {
    const messages: CanonicalRequest["messages"] = [
      { role: "user", content: [{ type: "text", text: "hi" }] },
      {
        role: "assistant",
        content: [{ type: "tool-call", id: "c1", name: "f", arguments: `{"a":${deep(100_000)}}` }],
      },
    ];
    for (const result of [
      canonicalToAnthropicRequest(canonical({ messages }), { model: "m", defaultMaxTokens: 100 }),
      canonicalToGeminiRequest(canonical({ messages }), {}),
      canonicalToConverseRequest(canonical({ messages }), {
        defaultMaxTokens: 100,
        modelFamily: "anthropic",
      }),
    ]) {
      expect(refused(result).message).toMatch(/messages\[1\].*arguments.*nested more than 128 levels/);
    }
  });

  it("a Gemini tool schema nested 20,000 levels, or fanning out through $refs", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let level = 0; level < 20_000; level++) schema = { type: "object", properties: { a: schema } };
    const tools = [{ type: "function" as const, name: "f", inputSchema: schema }];
    expect(refused(canonicalToGeminiRequest(canonical({ tools }), {})).message).toBe(
      `tools[0].parameters: nested more than ${maxSchemaDepth} levels (counting inlined $refs)`,
    );
    // Each definition uses the next twice: 2^20 subschemas once inlined.
    const $defs: Record<string, unknown> = { d20: { type: "string" } };
    for (let level = 0; level < 20; level++)
      $defs[`d${level}`] = {
        type: "object",
        properties: { x: { $ref: `#/$defs/d${level + 1}` }, y: { $ref: `#/$defs/d${level + 1}` } },
      };
    const fanOut = [{ type: "function" as const, name: "f", inputSchema: { $ref: "#/$defs/d0", $defs } }];
    expect(refused(canonicalToGeminiRequest(canonical({ tools: fanOut }), {})).message).toBe(
      `tools[0].parameters: has more than ${maxSchemaNodes} subschemas once its $refs are inlined`,
    );
  });
});
