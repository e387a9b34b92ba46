/**
 * The bad-input corpus: what careless clients and attackers send to each client route, and what the gateway
 * must answer (a 4xx in the route's dialect whose message names the problem; nothing sent upstream).
 * Generic cases are generated for every POST route; each route adds its own.
 *
 * Routes are called with two models: one the route's dialect passes through to (the client's body forwarded
 * with the model rewritten, so fields the gateway does not own are the upstream's to judge) and one it
 * translates for (every field read strictly). Cases about fields the upstream would judge on a pass-through use
 * the translating model; cases nobody may forward (empty conversations, bad media, nesting, bad bytes) the
 * pass-through one.
 */
import { bodyLimit } from "./corpus-gateway.js";

export type ErrorDialect = "openai" | "anthropic";

export interface CorpusRoute {
  name: string;
  path: string;
  dialect: ErrorDialect;
  /** A valid body for a model the route passes through to (or, without pass-through, any valid body). */
  valid: Record<string, unknown>;
  /** The same for a model the route translates for. */
  translated: Record<string, unknown>;
  /** The field the route cannot do without. */
  required: string;
  /** The field of the maximum output tokens, when the route has one. */
  maxTokens?: string;
}

export interface CorpusCase {
  route: CorpusRoute;
  name: string;
  method?: "GET" | "POST";
  /** Defaults to the route's path. */
  path?: string;
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  status: number;
  /** What the error message must say. */
  message: RegExp;
}

const user = { role: "user", content: "hi" };
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString("base64");
const notAnImage = Buffer.from("<html>not an image</html>").toString("base64");

export const routes = {
  chat: {
    name: "chat completions",
    path: "/v1/chat/completions",
    dialect: "openai",
    valid: { model: "openai::v1::text", max_tokens: 20, messages: [user] },
    translated: { model: "anthropic::v1::text", max_tokens: 20, messages: [user] },
    required: "messages",
    maxTokens: "max_tokens",
  },
  completions: {
    name: "completions",
    path: "/v1/completions",
    dialect: "openai",
    valid: { model: "openai::v1::text", max_tokens: 20, prompt: "def add(a, b):" },
    translated: { model: "anthropic::v1::text", max_tokens: 20, prompt: "def add(a, b):" },
    required: "prompt",
    maxTokens: "max_tokens",
  },
  embeddings: {
    name: "embeddings",
    path: "/v1/embeddings",
    dialect: "openai",
    valid: { model: "openai::v1::embed", input: "hello" },
    translated: { model: "azure::v1::embed", input: "hello" },
    required: "input",
  },
  responses: {
    name: "responses",
    path: "/v1/responses",
    dialect: "openai",
    valid: { model: "openai::v1::text", max_output_tokens: 20, input: "hi" },
    translated: { model: "anthropic::v1::text", max_output_tokens: 20, input: "hi" },
    required: "input",
    maxTokens: "max_output_tokens",
  },
  messages: {
    name: "messages",
    path: "/v1/messages",
    dialect: "anthropic",
    valid: { model: "anthropic::v1::text", max_tokens: 20, messages: [user] },
    translated: { model: "openai::v1::text", max_tokens: 20, messages: [user] },
    required: "messages",
    maxTokens: "max_tokens",
  },
  countTokens: {
    name: "count_tokens",
    path: "/v1/messages/count_tokens",
    dialect: "anthropic",
    valid: { model: "anthropic::v1::text", messages: [user] },
    translated: { model: "openai::v1::text", messages: [user] },
    required: "messages",
  },
} satisfies Record<string, CorpusRoute>;

const postRoutes: CorpusRoute[] = Object.values(routes);

const json = (value: unknown) => JSON.stringify(value);

function nested(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

/** A JSON Schema `{type: object, properties: {a: …}}` nested `depth` levels. */
export function deepSchema(depth: number): string {
  return `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${"}}".repeat(depth)}`;
}

/** Cases every POST route must answer the same way. */
function genericCases(route: CorpusRoute): CorpusCase[] {
  const valid = json(route.valid);
  const withField = (raw: string) => `${valid.slice(0, -1)},${raw}}`;
  const { [route.required]: requiredValue, ...withoutRequired } = route.valid;
  const cases: CorpusCase[] = [
    { route, name: "an empty body", body: "", status: 400, message: /request body is empty/ },
    { route, name: "a body that is not JSON", body: '{"model": ', status: 400, message: /not valid JSON/ },
    { route, name: "JSON with trailing garbage", body: `${valid}}`, status: 400, message: /not valid JSON/ },
    {
      route,
      name: "a form content type",
      body: "model=x&messages=y",
      contentType: "application/x-www-form-urlencoded",
      status: 415,
      message: /must be JSON/,
    },
    {
      route,
      name: "an HTML content type",
      body: valid,
      contentType: "text/html",
      status: 415,
      message: /must be JSON/,
    },
    { route, name: "a JSON array", body: "[1, 2]", status: 400, message: /object/ },
    { route, name: "JSON null", body: "null", status: 400, message: /object/ },
    { route, name: "a JSON string", body: '"hello"', status: 400, message: /object/ },
    { route, name: "a JSON number overflowing to Infinity", body: "1e999", status: 400, message: /object/ },
    {
      route,
      name: "invalid UTF-8 inside a string",
      body: Buffer.concat([
        Buffer.from(valid.slice(0, -1)),
        Buffer.from(',"user":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}'),
      ]),
      status: 400,
      message: /not valid UTF-8/,
    },
    {
      route,
      name: "a field nested 100,000 levels",
      body: withField(`"deep":${nested(100_000)}`),
      status: 400,
      message: /nested more than 128 levels deep \(at deep\[0\]/,
    },
    {
      route,
      name: "a body over the size limit",
      body: withField(`"padding":"${"x".repeat(bodyLimit)}"`),
      status: 413,
      message: /larger than the limit of 1048576 bytes/,
    },
    {
      route,
      name: `the required field given only through __proto__`,
      body: `${json(withoutRequired).slice(0, -1)},"__proto__":${json({ [route.required]: requiredValue })}}`,
      status: 400,
      message: new RegExp(`${route.required}: is required`),
    },
    {
      route,
      name: `no ${route.required}`,
      body: json(withoutRequired),
      status: 400,
      message: new RegExp(`${route.required}: is required`),
    },
    {
      route,
      name: "an unknown model",
      body: json({ ...route.valid, model: "nowhere::v1::nothing" }),
      status: 404,
      message: /nowhere::v1::nothing/,
    },
    {
      route,
      name: "duplicate keys (the last one wins, as in JSON.parse)",
      body: withField('"model":"duplicate::v1::last"'),
      status: 404,
      message: /duplicate::v1::last/,
    },
    {
      route,
      name: "a model that is a number",
      body: json({ ...route.valid, model: 42 }),
      status: 400,
      message: /model/,
    },
    {
      route,
      name: "a model that is an object",
      body: json({ ...route.valid, model: { id: "x" } }),
      status: 400,
      message: /model/,
    },
  ];
  if (route.maxTokens) {
    const field = route.maxTokens;
    for (const [label, raw] of [
      ["negative", "-1"],
      ["zero", "0"],
      ["fractional", "1.5"],
      ["huge", "1e308"],
      ["overflowing to Infinity", "1e999"],
      ["2^53 + 1", "9007199254740993"],
      ['"NaN"', '"NaN"'],
      ['"100" as a string', '"100"'],
      ["null-ish false", "false"],
    ] as const) {
      for (const body of [route.valid, route.translated]) {
        const { [field]: _dropped, ...rest } = body;
        cases.push({
          route,
          name: `${field} ${label} (${body === route.valid ? "pass-through" : "translated"})`,
          body: `${json(rest).slice(0, -1)},"${field}":${raw}}`,
          status: 400,
          message: new RegExp(field),
        });
      }
    }
  }
  return cases;
}

/** A wrong type for each top-level field, on the translating model where the strict parser has the last word. */
function wrongTypes(route: CorpusRoute, fields: Record<string, unknown>, message?: RegExp): CorpusCase[] {
  return Object.entries(fields).map(([field, value]) => ({
    route,
    name: `${field}: ${json(value)}`,
    body: json({ ...route.translated, [field]: value }),
    status: 400,
    message: message ?? new RegExp(`^${field.replace(/[[\].]/g, "\\$&")}`),
  }));
}

/** A case on the pass-through model: nothing in it may reach the upstream. */
function passThrough(
  route: CorpusRoute,
  name: string,
  body: Record<string, unknown>,
  message: RegExp,
): CorpusCase {
  return {
    route,
    name: `${name} (pass-through)`,
    body: json({ ...route.valid, ...body }),
    status: 400,
    message,
  };
}

function translated(
  route: CorpusRoute,
  name: string,
  body: Record<string, unknown>,
  message: RegExp,
): CorpusCase {
  return {
    route,
    name: `${name} (translated)`,
    body: json({ ...route.translated, ...body }),
    status: 400,
    message,
  };
}

function chatCases(): CorpusCase[] {
  const route = routes.chat;
  const imageMessage = (url: string) => ({
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "what?" },
          { type: "image_url", image_url: { url } },
        ],
      },
    ],
  });
  return [
    ...wrongTypes(route, {
      messages: "hi",
      stream: "yes",
      temperature: "hot",
      top_p: [],
      n: "2",
      stop: 5,
      presence_penalty: "x",
      frequency_penalty: {},
      seed: "42",
      tools: {},
      tool_choice: 5,
      parallel_tool_calls: "no",
      response_format: "json",
      user: 5,
      metadata: [],
      reasoning_effort: 5,
      reasoning: "high",
      top_k: -1,
      max_completion_tokens: true,
    }),
    translated(route, "temperature out of range", { temperature: 3 }, /temperature: must be at most 2/),
    translated(route, "five stop sequences", { stop: ["a", "b", "c", "d", "e"] }, /stop: at most 4/),
    translated(
      route,
      "an unknown role",
      { messages: [{ role: "wizard", content: "hi" }] },
      /messages\[0\]\.role: expected one of/,
    ),
    translated(
      route,
      "a message that is a string",
      { messages: ["hi"] },
      /messages\[0\]: expected an object/,
    ),
    translated(
      route,
      "a content part of an unknown type",
      { messages: [{ role: "user", content: [{ type: "video" }] }] },
      /messages\[0\]\.content\[0\]\.type/,
    ),
    translated(
      route,
      "a tool without its function",
      { tools: [{ type: "function" }] },
      /tools\[0\]\.function: expected an object/,
    ),
    translated(
      route,
      "a tool whose name is a number",
      { tools: [{ type: "function", function: { name: 5 } }] },
      /tools\[0\]\.function\.name/,
    ),
    translated(route, "a tool of an unknown type", { tools: [{ type: "browser" }] }, /tools\[0\]\.type/),
    translated(
      route,
      "tool parameters that are a string",
      { tools: [{ type: "function", function: { name: "f", parameters: "{}" } }] },
      /tools\[0\]\.function\.parameters/,
    ),
    translated(route, "tool_choice sometimes", { tool_choice: "sometimes" }, /tool_choice: expected one of/),
    translated(
      route,
      "tool_choice without a function",
      { tool_choice: { type: "function" } },
      /tool_choice\.function/,
    ),
    passThrough(route, "no messages", { messages: [] }, /messages: must not be empty/),
    passThrough(
      route,
      "a data URL that is not base64",
      imageMessage("data:image/png;base64,***not base64***"),
      /messages\[0\]\.content\[1\]\.image_url\.url: is not valid base64/,
    ),
    passThrough(
      route,
      "a data URL whose bytes are not a png",
      imageMessage(`data:image/png;base64,${notAnImage}`),
      /messages\[0\]\.content\[1\]\.image_url\.url: is not image\/png data/,
    ),
    passThrough(
      route,
      "a jpeg data URL holding a png",
      imageMessage(`data:image/jpeg;base64,${png}`),
      /is not image\/jpeg data/,
    ),
    // Review finding 3: the strict parser stops at messages[0]; the bad image after it must be refused too.
    passThrough(
      route,
      "an unknown part type, then a data URL that is not base64",
      {
        messages: [
          { role: "user", content: [{ type: "video" }] },
          { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,***" } }] },
        ],
      },
      /messages\[1\]\.content\[0\]\.image_url\.url: is not valid base64/,
    ),
    {
      route,
      name: "tool parameters nested 20,000 levels (pass-through)",
      body: `${json(route.valid).slice(0, -1)},"tools":[{"type":"function","function":{"name":"f","parameters":${deepSchema(20_000)}}}]}`,
      status: 400,
      message: /nested more than 128 levels deep \(at tools\[0\]\.function\.parameters/,
    },
  ];
}

function messagesCases(route: CorpusRoute, countTokens: boolean): CorpusCase[] {
  const image = (source: Record<string, unknown>) => ({
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "what?" },
          { type: "image", source },
        ],
      },
    ],
  });
  const cases = [
    ...wrongTypes(route, {
      messages: { role: "user" },
      system: 5,
      tools: "all",
      tool_choice: "auto",
      thinking: true,
      metadata: "me",
      output_config: [],
      ...(countTokens ? {} : { stream: 1, temperature: "warm", top_p: "x", top_k: -3, stop_sequences: 5 }),
    }),
    translated(
      route,
      "an unknown role",
      { messages: [{ role: "wizard", content: "hi" }] },
      /messages\[0\]\.role: expected one of user, assistant/,
    ),
    translated(
      route,
      "a block of an unknown type",
      { messages: [{ role: "user", content: [{ type: "hologram" }] }] },
      /messages\[0\]\.content\[0\]\.type/,
    ),
    translated(
      route,
      "a tool without input_schema",
      { tools: [{ name: "f" }] },
      /tools\[0\]\.input_schema: expected an object/,
    ),
    translated(
      route,
      "a tool whose name is a number",
      { tools: [{ name: 5, input_schema: {} }] },
      /tools\[0\]\.name/,
    ),
    translated(
      route,
      "tool_choice of an unknown type",
      { tool_choice: { type: "maybe" } },
      /tool_choice\.type: expected one of/,
    ),
    translated(
      route,
      "tool_choice tool without a name",
      { tool_choice: { type: "tool" } },
      /tool_choice\.name/,
    ),
    translated(
      route,
      "a thinking budget under the minimum",
      { thinking: { type: "enabled", budget_tokens: 10 } },
      /thinking\.budget_tokens: must be at least 1024/,
    ),
    passThrough(route, "no messages", { messages: [] }, /messages: must not be empty/),
    passThrough(
      route,
      "image data that is not base64",
      image({ type: "base64", media_type: "image/png", data: "%%%%" }),
      /messages\[0\]\.content\[1\]\.source\.data: is not valid base64/,
    ),
    passThrough(
      route,
      "image bytes that are not a png",
      image({ type: "base64", media_type: "image/png", data: notAnImage }),
      /messages\[0\]\.content\[1\]\.source\.data: is not image\/png data/,
    ),
    passThrough(
      route,
      "image bytes that are not a webp",
      image({ type: "base64", media_type: "image/webp", data: png }),
      /is not image\/webp data/,
    ),
    passThrough(
      route,
      "a PDF document that is not a PDF",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "document", source: { type: "base64", media_type: "application/pdf", data: png } },
            ],
          },
        ],
      },
      /messages\[0\]\.content\[0\]\.source\.data: is not application\/pdf data/,
    ),
    // Review finding 3: count_tokens never passes an unreadable body through, so it names messages[0].
    passThrough(
      route,
      "a block of an unknown type, then image data that is not base64",
      {
        messages: [
          { role: "user", content: [{ type: "hologram" }] },
          {
            role: "user",
            content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "%%%%" } }],
          },
        ],
      },
      countTokens
        ? /messages\[0\]\.content\[0\]\.type/
        : /messages\[1\]\.content\[0\]\.source\.data: is not valid base64/,
    ),
    {
      route,
      name: "a tool input_schema nested 20,000 levels (pass-through)",
      body: `${json(route.valid).slice(0, -1)},"tools":[{"name":"f","input_schema":${deepSchema(20_000)}}]}`,
      status: 400,
      message: /nested more than 128 levels deep \(at tools\[0\]\.input_schema/,
    },
  ];
  return cases;
}

function responsesCases(): CorpusCase[] {
  const route = routes.responses;
  return [
    ...wrongTypes(route, {
      input: 5,
      instructions: [],
      tools: {},
      tool_choice: 5,
      reasoning: "high",
      text: "json",
      stream: "yes",
      temperature: "hot",
      top_p: "x",
      metadata: 5,
      parallel_tool_calls: "no",
      store: "yes",
      include: "all",
    }),
    translated(
      route,
      "an unknown role",
      { input: [{ role: "wizard", content: "hi" }] },
      /input\[0\]\.role|input\[0\]\.type/,
    ),
    translated(
      route,
      "a tool without a name",
      { tools: [{ type: "function", parameters: {} }] },
      /tools\[0\]\.name/,
    ),
    passThrough(route, "an empty input list", { input: [] }, /input: must not be empty/),
    passThrough(route, "an empty input text", { input: "" }, /input: must not be empty/),
    passThrough(
      route,
      "an input_image whose bytes are not a gif",
      {
        input: [
          {
            role: "user",
            content: [{ type: "input_image", image_url: `data:image/gif;base64,${notAnImage}` }],
          },
        ],
      },
      /input\[0\]\.content\[0\]\.image_url: is not image\/gif data/,
    ),
    // Review finding 3: the strict parser stops at input[0]; the bad image after it must be refused too.
    passThrough(
      route,
      "a part of an unknown type, then an input_image that is not a gif",
      {
        input: [
          { role: "user", content: [{ type: "input_hologram" }] },
          {
            role: "user",
            content: [{ type: "input_image", image_url: `data:image/gif;base64,${notAnImage}` }],
          },
        ],
      },
      /input\[1\]\.content\[0\]\.image_url: is not image\/gif data/,
    ),
  ];
}

function completionsCases(): CorpusCase[] {
  const route = routes.completions;
  return [
    ...wrongTypes(route, {
      prompt: 5,
      suffix: 5,
      stream: "no",
      temperature: "hot",
      n: 0,
      stop: [1],
      user: {},
      seed: 1.5,
    }),
    passThrough(route, "an empty prompt", { prompt: "" }, /prompt: must not be empty/),
    passThrough(route, "a list of prompts", { prompt: ["a", "b"] }, /prompt: expected a string/),
  ];
}

function embeddingsCases(): CorpusCase[] {
  const route = routes.embeddings;
  return [
    ...wrongTypes(route, { input: { text: "x" }, encoding_format: "utf8", dimensions: -1, user: 5 }),
    passThrough(route, "an empty input text", { input: "" }, /input: must not be empty/),
    passThrough(route, "an empty input list", { input: [] }, /input: must not be empty/),
    passThrough(route, "negative token ids", { input: [[-1]] }, /input\[0\]\[0\]: must be at least 0/),
    passThrough(
      route,
      "2049 inputs",
      { input: Array.from({ length: 2049 }, () => "x") },
      /at most 2048 inputs/,
    ),
  ];
}

function modelsCases(): CorpusCase[] {
  const route = { ...routes.chat, name: "models" };
  const anthropicRoute = { ...routes.messages, name: "models (anthropic-version)" };
  return [
    {
      route,
      name: "an unknown model id",
      method: "GET",
      path: "/v1/models/nowhere::v1::nothing",
      status: 404,
      message: /nowhere::v1::nothing/,
    },
    {
      route,
      name: "a path that is not percent-encoding",
      method: "GET",
      path: "/v1/models/%25",
      status: 400,
      message: /percent-encoding/,
    },
    {
      route,
      name: "an invalid UTF-8 escape",
      method: "GET",
      path: "/v1/models/%E0%A4",
      status: 400,
      message: /percent-encoding/,
    },
    {
      route: anthropicRoute,
      name: "an unknown model id, asked in Anthropic's dialect",
      method: "GET",
      path: "/v1/models/nowhere",
      headers: { "anthropic-version": "2023-06-01" },
      status: 404,
      message: /nowhere/,
    },
    {
      route,
      name: "POST to the models list",
      method: "POST",
      path: "/v1/models",
      body: "{}",
      status: 404,
      message: /no route for POST \/v1\/models/,
    },
  ];
}

export const corpus: CorpusCase[] = [
  ...postRoutes.flatMap(genericCases),
  ...chatCases(),
  ...messagesCases(routes.messages, false),
  ...messagesCases(routes.countTokens, true),
  ...responsesCases(),
  ...completionsCases(),
  ...embeddingsCases(),
  ...modelsCases(),
];
