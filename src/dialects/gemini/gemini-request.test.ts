import { describe, expect, it } from "vitest";
import type { CanonicalMessage, ContentPart } from "../../canonical/content.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import type { JsonObject } from "../../canonical/validate.js";
import { canonicalToGeminiRequest, type GeminiSettings, isGemini3OrLater } from "./gemini-request-build.js";
import { geminiResponseToCanonical } from "./gemini-response.js";

const hello: CanonicalMessage = { role: "user", content: [{ type: "text", text: "Hello" }] };

function canonical(overrides: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: "m",
    system: [],
    messages: [hello],
    stream: false,
    includeUsage: false,
    extra: {},
    ...overrides,
  };
}

function build(overrides: Partial<CanonicalRequest> = {}, settings: GeminiSettings = {}) {
  const result = canonicalToGeminiRequest(canonical(overrides), settings);
  if (!result.ok) throw new Error(result.error.message);
  return result;
}

const contentsOf = (messages: CanonicalMessage[], settings: GeminiSettings = {}) =>
  build({ messages }, settings).body.contents;

const assistant = (...content: ContentPart[]): CanonicalMessage => ({ role: "assistant", content });
const call = (id: string, name: string, args: string, signature?: string): ContentPart =>
  signature === undefined
    ? { type: "tool-call", id, name, arguments: args }
    : { type: "tool-call", id, name, arguments: args, signature };
const results = (...content: ContentPart[]): CanonicalMessage => ({ role: "tool", content });

describe("gemini request: a whole conversation", () => {
  it("writes system, roles, parts, tools and settings", () => {
    const result = build(
      {
        system: [
          { type: "text", text: "Be brief." },
          { type: "text", text: "Use metric units." },
        ],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Weather here?" },
              { type: "image", source: { type: "base64", mediaType: "image/png", data: "iVBOR" } },
            ],
          },
          assistant(
            { type: "text", text: "Checking.", signature: "text-sig" },
            call("call_1", "weather", '{"city":"Paris"}', "call-sig"),
          ),
          results({ type: "tool-result", toolCallId: "call_1", content: "Sunny, 21°C" }),
          { role: "user", content: [{ type: "text", text: "And tomorrow?" }] },
        ],
        tools: [
          {
            type: "function",
            name: "weather",
            description: "Weather now",
            inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        ],
        toolChoice: { type: "auto" },
        maxOutputTokens: 500,
        temperature: 0.3,
      },
      { model: "gemini-2.5-flash" },
    );
    expect(result.warnings).toEqual([]);
    expect(result.body).toEqual({
      contents: [
        {
          role: "user",
          parts: [{ text: "Weather here?" }, { inlineData: { mimeType: "image/png", data: "iVBOR" } }],
        },
        {
          role: "model",
          parts: [
            { text: "Checking.", thoughtSignature: "text-sig" },
            { functionCall: { name: "weather", args: { city: "Paris" } }, thoughtSignature: "call-sig" },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "weather", response: { output: "Sunny, 21°C" } } },
            { text: "And tomorrow?" },
          ],
        },
      ],
      systemInstruction: { parts: [{ text: "Be brief." }, { text: "Use metric units." }] },
      tools: [
        {
          functionDeclarations: [
            {
              name: "weather",
              description: "Weather now",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: "AUTO" } },
      generationConfig: { maxOutputTokens: 500, temperature: 0.3 },
    });
  });

  it("merges consecutive turns of one role and skips messages left empty", () => {
    expect(
      contentsOf([
        hello,
        { role: "user", content: [{ type: "text", text: "Anyone?" }] },
        assistant({ type: "reasoning", text: "unsigned thoughts" }),
        assistant({ type: "text", text: "Hi." }),
      ]),
    ).toEqual([
      { role: "user", parts: [{ text: "Hello" }, { text: "Anyone?" }] },
      { role: "model", parts: [{ text: "Hi." }] },
    ]);
  });
});

describe("gemini request: generationConfig, field by field", () => {
  const cases: Array<[string, Partial<CanonicalRequest>, GeminiSettings, JsonObject | undefined]> = [
    ["nothing", {}, {}, undefined],
    ["max tokens", { maxOutputTokens: 64 }, {}, { maxOutputTokens: 64 }],
    ["default max tokens", {}, { defaultMaxTokens: 8192 }, { maxOutputTokens: 8192 }],
    [
      "the client's max tokens first",
      { maxOutputTokens: 64 },
      { defaultMaxTokens: 8192 },
      { maxOutputTokens: 64 },
    ],
    ["temperature 2", { temperature: 2 }, {}, { temperature: 2 }],
    ["top_p", { topP: 0.9 }, {}, { topP: 0.9 }],
    ["top_k", { topK: 40 }, {}, { topK: 40 }],
    ["stop", { stopSequences: ["a", "b"] }, {}, { stopSequences: ["a", "b"] }],
    ["n=1", { choices: 1 }, {}, { candidateCount: 1 }],
    ["seed", { seed: 7 }, {}, { seed: 7 }],
    [
      "penalties",
      { presencePenalty: 0.5, frequencyPenalty: -0.5 },
      {},
      { presencePenalty: 0.5, frequencyPenalty: -0.5 },
    ],
    ["text format", { responseFormat: { type: "text" } }, {}, undefined],
    ["json", { responseFormat: { type: "json" } }, {}, { responseMimeType: "application/json" }],
    [
      "json schema",
      { responseFormat: { type: "json-schema", name: "answer", schema: { type: "object" }, strict: true } },
      {},
      { responseMimeType: "application/json", responseJsonSchema: { type: "object" } },
    ],
    [
      "thinking budget",
      { reasoning: { budgetTokens: 3000 } },
      {},
      { thinkingConfig: { thinkingBudget: 3000, includeThoughts: true } },
    ],
    [
      "thinking without thoughts returned",
      { reasoning: { budgetTokens: 3000, exclude: true } },
      {},
      { thinkingConfig: { thinkingBudget: 3000, includeThoughts: false } },
    ],
    [
      "thoughts turned off by configuration",
      { reasoning: { budgetTokens: 3000 } },
      { includeThoughts: false },
      { thinkingConfig: { thinkingBudget: 3000, includeThoughts: false } },
    ],
    ["thinking off", { reasoning: { enabled: false } }, {}, { thinkingConfig: { thinkingBudget: 0 } }],
    ["effort none", { reasoning: { effort: "none" } }, {}, { thinkingConfig: { thinkingBudget: 0 } }],
    [
      "adaptive thinking",
      { reasoning: { adaptive: true } },
      {},
      { thinkingConfig: { thinkingBudget: -1, includeThoughts: true } },
    ],
    ["reasoning on", { reasoning: { enabled: true } }, {}, { thinkingConfig: { includeThoughts: true } }],
    [
      "thoughts asked by configuration",
      {},
      { includeThoughts: true },
      { thinkingConfig: { includeThoughts: true } },
    ],
  ];
  for (const [name, overrides, settings, expected] of cases) {
    it(name, () => {
      const result = build(overrides, settings);
      expect(result.body.generationConfig).toEqual(expected);
      expect(result.warnings).toEqual([]);
    });
  }

  it("maps efforts to budgets within every Gemini 2.5 model's range, with a warning", () => {
    const budget = (effort: "minimal" | "low" | "medium" | "high" | "xhigh" | "max") => {
      const result = build({ reasoning: { effort } });
      expect(result.warnings).toEqual([
        {
          field: "reasoning_effort",
          message: expect.stringMatching(/^sent as a thinking budget of \d+ tokens$/),
        },
      ]);
      return (result.body.generationConfig as { thinkingConfig: { thinkingBudget: number } }).thinkingConfig
        .thinkingBudget;
    };
    expect(
      ["minimal", "low", "medium", "high", "xhigh", "max"].map((effort) => budget(effort as "low")),
    ).toEqual([512, 2048, 8192, 16384, 24576, 24576]);
  });
});

describe("gemini request: tool choice", () => {
  const cases: Array<[CanonicalRequest["toolChoice"], JsonObject]> = [
    [{ type: "auto" }, { mode: "AUTO" }],
    [{ type: "none" }, { mode: "NONE" }],
    [{ type: "required" }, { mode: "ANY" }],
    [
      { type: "tool", name: "weather" },
      { mode: "ANY", allowedFunctionNames: ["weather"] },
    ],
  ];
  for (const [choice, expected] of cases) {
    it(`${choice?.type}`, () => {
      expect(build({ toolChoice: choice }).body.toolConfig).toEqual({ functionCallingConfig: expected });
    });
  }

  it("sends no toolConfig without a choice, and declarations without parameters for a no-argument function", () => {
    const result = build({
      tools: [{ type: "function", name: "now", inputSchema: { type: "object", properties: {} } }],
    });
    expect(result.body.toolConfig).toBeUndefined();
    expect(result.body.tools).toEqual([{ functionDeclarations: [{ name: "now" }] }]);
  });

  it("sends the schema whole as parametersJsonSchema when configured", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, additionalProperties: false };
    const result = build(
      { tools: [{ type: "function", name: "f", inputSchema: schema }] },
      { parametersJsonSchema: true },
    );
    expect(result.body.tools).toEqual([
      { functionDeclarations: [{ name: "f", parametersJsonSchema: schema }] },
    ]);
    expect(result.warnings).toEqual([]);
  });
});

describe("gemini request: parts", () => {
  it("sends images inline, from gs:// and from http(s) URLs", () => {
    const image = (url: string): ContentPart => ({ type: "image", source: { type: "url", url } });
    const result = build({
      messages: [
        {
          role: "user",
          content: [
            image("data:image/webp;base64,UklGR"),
            image("gs://bucket/cat.PNG"),
            image("https://example.com/photos/dog.jpeg?size=large"),
            image("https://example.com/render"),
          ],
        },
      ],
    });
    expect(result.body.contents).toEqual([
      {
        role: "user",
        parts: [
          { inlineData: { mimeType: "image/webp", data: "UklGR" } },
          { fileData: { mimeType: "image/png", fileUri: "gs://bucket/cat.PNG" } },
          { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/photos/dog.jpeg?size=large" } },
          { fileData: { fileUri: "https://example.com/render" } },
        ],
      },
    ]);
    expect(result.warnings).toEqual([
      { field: "messages[0].content[3]", message: expect.stringContaining("without a MIME type") },
    ]);
  });

  it("writes tool results as output, error or the JSON object itself", () => {
    const parts = contentsOf([
      hello,
      assistant(call("a", "fa", "{}"), call("b", "fb", ""), call("c", "fc", "{}"), call("d", "fd", "{}")),
      results(
        { type: "tool-result", toolCallId: "a", content: '{"temperature":21}' },
        { type: "tool-result", toolCallId: "b", content: "[1,2]" },
        { type: "tool-result", toolCallId: "c", content: "boom", isError: true },
        {
          type: "tool-result",
          toolCallId: "d",
          content: [
            { type: "text", text: "plain " },
            { type: "text", text: "text" },
          ],
        },
      ),
    ]) as Array<{ parts: unknown[] }>;
    expect(parts[1]?.parts).toEqual([
      { functionCall: { name: "fa", args: {} } },
      { functionCall: { name: "fb", args: {} } },
      { functionCall: { name: "fc", args: {} } },
      { functionCall: { name: "fd", args: {} } },
    ]);
    expect(parts[2]?.parts).toEqual([
      { functionResponse: { name: "fa", response: { temperature: 21 } } },
      { functionResponse: { name: "fb", response: { output: [1, 2] } } },
      { functionResponse: { name: "fc", response: { error: "boom" } } },
      { functionResponse: { name: "fd", response: { output: "plain text" } } },
    ]);
  });

  it("sends images of a tool result after the function responses, with a warning", () => {
    const result = build({
      messages: [
        hello,
        assistant(call("a", "screenshot", "{}")),
        results({
          type: "tool-result",
          toolCallId: "a",
          content: [
            { type: "text", text: "done" },
            { type: "image", source: { type: "base64", mediaType: "image/png", data: "AAAA" } },
          ],
        }),
      ],
    });
    expect((result.body.contents as Array<{ parts: unknown[] }>)[2]?.parts).toEqual([
      { functionResponse: { name: "screenshot", response: { output: "done" } } },
      { inlineData: { mimeType: "image/png", data: "AAAA" } },
    ]);
    expect(result.warnings.map((warning) => warning.field)).toEqual(["messages[2].content[0]"]);
  });

  it("echoes Gemini's own signed thoughts, and leaves out other reasoning with a warning", () => {
    const result = build({
      messages: [
        hello,
        assistant(
          { type: "reasoning", text: "Gemini thought", signature: "g-sig", format: "google-gemini-v1" },
          { type: "reasoning", text: "Claude thought", signature: "anthropic-sig" },
          { type: "redacted-reasoning", data: "opaque" },
          { type: "text", text: "Answer" },
        ),
      ],
    });
    expect((result.body.contents as Array<{ parts: unknown[] }>)[1]?.parts).toEqual([
      { text: "Gemini thought", thought: true, thoughtSignature: "g-sig" },
      { text: "Answer" },
    ]);
    expect(result.warnings).toEqual([
      { field: "messages[1].content[2]", message: expect.stringContaining("redacted-reasoning") },
      { field: "messages[1].content", message: expect.stringContaining("earlier reasoning is not sent") },
    ]);
  });

  it("echoes the signed thoughts and text of a Gemini answer it decoded", () => {
    const decoded = geminiResponseToCanonical({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "Plan.", thought: true, thoughtSignature: "t" },
              { text: "Done.", thoughtSignature: "s" },
            ],
          },
          finishReason: "STOP",
        },
      ],
    });
    if (!decoded.ok) throw new Error(decoded.error.message);
    const result = build({ messages: [hello, assistant(...decoded.response.content)] });
    expect(result.warnings).toEqual([]);
    expect((result.body.contents as Array<{ parts: unknown[] }>)[1]?.parts).toEqual([
      { text: "Plan.", thought: true, thoughtSignature: "t" },
      { text: "Done.", thoughtSignature: "s" },
    ]);
  });

  it("keeps an empty text part that carries a signature, drops other empty ones", () => {
    expect(
      contentsOf([
        hello,
        assistant(
          { type: "text", text: "" },
          { type: "text", text: "Hi" },
          { type: "text", text: "", signature: "s" },
        ),
      ]),
    ).toEqual([
      { role: "user", parts: [{ text: "Hello" }] },
      { role: "model", parts: [{ text: "Hi" }, { text: "", thoughtSignature: "s" }] },
    ]);
  });
});

describe("gemini request: thought signatures for Gemini 3", () => {
  const turn = (...calls: ContentPart[]) => [hello, assistant(...calls)];
  const modelParts = (messages: CanonicalMessage[], model: string) =>
    (contentsOf(messages, { model }) as Array<{ parts: JsonObject[] }>)[1]?.parts.map(
      (part) => part.thoughtSignature,
    );

  it("gives unsigned calls Google's stand-in on Gemini 3 and later only", () => {
    const unsigned = turn(call("a", "f", "{}"));
    expect(modelParts(unsigned, "gemini-2.5-pro")).toEqual([undefined]);
    expect(modelParts(unsigned, "gemini-3-pro-preview")).toEqual(["skip_thought_signature_validator"]);
  });

  it("leaves the rest of a signed parallel batch unsigned, as Gemini made it", () => {
    expect(modelParts(turn(call("a", "f", "{}", "sig"), call("b", "g", "{}")), "gemini-3-flash")).toEqual([
      "sig",
      undefined,
    ]);
    expect(modelParts(turn(call("a", "f", "{}"), call("b", "g", "{}")), "gemini-3-flash")).toEqual([
      "skip_thought_signature_validator",
      "skip_thought_signature_validator",
    ]);
  });

  it("tells Gemini 3 and later by the model name", () => {
    const cases: Array<[string | undefined, boolean]> = [
      ["gemini-3-pro-preview", true],
      ["gemini-3.1-flash-lite", true],
      ["models/gemini-3-pro", true],
      ["projects/p/locations/global/publishers/google/models/gemini-3-flash", true],
      ["gemini-10-ultra", true],
      ["gemini-2.5-pro", false],
      ["gemini-2.0-flash", false],
      ["gemma-3-27b-it", false],
      [undefined, false],
    ];
    for (const [model, expected] of cases) expect(isGemini3OrLater(model)).toBe(expected);
  });
});

describe("gemini request: warnings for what Gemini cannot say", () => {
  const cases: Array<[string, Partial<CanonicalRequest>, string[]]> = [
    ["parallel tool calls off", { parallelToolCalls: false }, ["parallel_tool_calls"]],
    ["parallel tool calls on", { parallelToolCalls: true }, []],
    ["end user", { user: "u-1" }, ["user"]],
    ["metadata", { metadata: { a: "b" } }, ["metadata"]],
    [
      "other dialects' fields",
      {
        extra: {
          openai: { logprobs: true },
          anthropic: { service_tier: "auto" },
          "openai-responses": { store: false },
        },
      },
      ["logprobs", "service_tier", "store"],
    ],
    [
      "a system cache breakpoint",
      { system: [{ type: "text", text: "s", cacheControl: { type: "ephemeral" } }] },
      ["system[0].cache_control"],
    ],
    [
      "a part's cache breakpoint",
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "x", cacheControl: { type: "ephemeral" } }] },
        ],
      },
      ["messages[0].content[0].cache_control"],
    ],
    [
      "image detail",
      {
        messages: [
          {
            role: "user",
            content: [
              {
                type: "image",
                source: { type: "base64", mediaType: "image/png", data: "A" },
                detail: "high",
              },
            ],
          },
        ],
      },
      ["messages[0].content[0].detail"],
    ],
    ["a participant name", { messages: [{ ...hello, name: "alice" }] }, ["messages[0].name"]],
    [
      "an opaque part",
      {
        messages: [
          {
            role: "user",
            content: [
              hello.content[0]!,
              { type: "opaque", dialect: "anthropic", value: { type: "document" } },
            ],
          },
        ],
      },
      ["messages[0].content[1]"],
    ],
    [
      "a raw prompt with a suffix",
      { messages: [], prompt: { text: "def f(", suffix: "return x" } },
      ["prompt", "suffix"],
    ],
    [
      "a json schema description",
      { responseFormat: { type: "json-schema", name: "n", schema: {}, description: "d" } },
      ["response_format.json_schema.description"],
    ],
    [
      "tool settings",
      {
        tools: [
          {
            type: "opaque",
            dialect: "anthropic",
            value: { type: "web_search_20250305", name: "web_search" },
          },
          {
            type: "function",
            name: "f",
            inputSchema: {
              type: "object",
              properties: { a: { type: "string" } },
              additionalProperties: false,
              $schema: "x",
            },
            strict: true,
            cacheControl: { type: "ephemeral" },
            extra: { dialect: "anthropic", fields: { defer_loading: true } },
          },
        ],
      },
      [
        "tools[0]",
        "tools[1].parameters",
        "tools[1].strict",
        "tools[1].cache_control",
        "tools[1].defer_loading",
      ],
    ],
  ];
  for (const [name, overrides, fields] of cases) {
    it(name, () => {
      expect(build(overrides).warnings.map((warning) => warning.field)).toEqual(fields);
    });
  }

  it("names the keywords a tool schema lost", () => {
    const result = build({
      tools: [
        {
          type: "function",
          name: "f",
          inputSchema: {
            $schema: "x",
            type: "object",
            properties: { a: { type: "string" } },
            additionalProperties: false,
          },
        },
      ],
    });
    expect(result.warnings).toEqual([
      {
        field: "tools[0].parameters",
        message: "left out what Gemini's schema subset lacks: $schema, additionalProperties",
      },
    ]);
    expect(result.body.tools).toEqual([
      {
        functionDeclarations: [
          { name: "f", parameters: { type: "object", properties: { a: { type: "string" } } } },
        ],
      },
    ]);
  });
});

describe("gemini request: refusals name the field", () => {
  const cases: Array<[string, Partial<CanonicalRequest>, string, RegExp]> = [
    ["temperature above 2", { temperature: 2.5 }, "temperature", /between 0 and 2/],
    ["six stop sequences", { stopSequences: ["1", "2", "3", "4", "5", "6"] }, "stop_sequences", /at most 5/],
    ["two choices", { choices: 2 }, "n", /one choice/],
    ["no messages", { messages: [] }, "messages", /at least one message/],
    [
      "a result without its call",
      { messages: [hello, results({ type: "tool-result", toolCallId: "missing", content: "x" })] },
      "messages[1].content[0].tool_call_id",
      /no earlier tool call/,
    ],
    [
      "arguments that are not JSON",
      { messages: [hello, assistant(call("a", "f", "{oops"))] },
      "messages[1].content[0].arguments",
      /not valid JSON/,
    ],
    [
      "arguments that are not an object",
      { messages: [hello, assistant(call("a", "f", "[1]"))] },
      "messages[1].content[0].arguments",
      /must be a JSON object/,
    ],
    [
      "an image URL Gemini cannot fetch",
      {
        messages: [
          { role: "user", content: [{ type: "image", source: { type: "url", url: "ftp://host/a.png" } }] },
        ],
      },
      "messages[0].content[0].url",
      /gs:\/\/ or from http\(s\)/,
    ],
  ];
  for (const [name, overrides, field, message] of cases) {
    it(name, () => {
      const result = canonicalToGeminiRequest(canonical(overrides), {});
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.field).toBe(field);
      expect(result.error.message).toMatch(message);
    });
  }
});
