import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors/index.js";
import type { Framing } from "../upstream/framing/index.js";
import { scrubSecrets } from "../upstream/scrub.js";
import type { Dialect, ProviderDialect } from "./codecs.js";
import { openRelay, relayStream, type StreamResult } from "./stream-relay.js";

function body(...chunks: string[]): AsyncIterable<Buffer> {
  return (async function* () {
    for (const chunk of chunks) yield Buffer.from(chunk, "utf8");
  })();
}

function input(
  dialect: Dialect,
  chunks: string[],
  extra: { providerDialect?: ProviderDialect; contentType?: string; framing?: Framing } = {},
) {
  const providerDialect = extra.providerDialect ?? (dialect === "anthropic" ? "anthropic" : "openai");
  return {
    body: body(...chunks),
    providerName: "acme",
    contentType: extra.contentType,
    framing: extra.framing ?? "sse",
    passthrough: providerDialect === dialect,
    providerDialect,
    clientDialect: dialect,
    clientRequest: {},
    answer: { model: "m" },
    clientShape: "chat" as const,
    includeUsage: false,
    injectedStreamUsage: false,
  };
}

const newResult = (): StreamResult => ({
  usage: undefined,
  relayedEvents: 0,
  status: 0,
  errorCode: undefined,
});

async function collect(iterable: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of iterable) text += chunk;
  return text;
}

const openaiChunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
const anthropicStart = `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "msg", model: "m", usage: { input_tokens: 3, output_tokens: 0 } } })}\n\n`;
const anthropicDelta = `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } })}\n\n`;

describe("stream relay: pass-through of what is not a stream", () => {
  it("ends an OpenAI stream whose records turn to garbage with an error record, recorded as an upstream error", async () => {
    const result = newResult();
    const text = await collect(
      relayStream(input("openai", [openaiChunk("Hel"), "data: <html>oops</html>\n\n"]), result),
    );
    expect(text).toContain('"content":"Hel"');
    expect(text).not.toContain("<html>");
    expect(text.trimEnd().split("\n\n").at(-1)).toBe(
      `data: ${JSON.stringify({ error: { message: "acme sent a stream record that is not JSON", type: "api_error", code: "upstream_error", param: null } })}`,
    );
    expect(result).toMatchObject({ status: 502, errorCode: "upstream_error" });
  });

  it("does not report an OpenAI stream that closed before [DONE] or a finish reason as complete", async () => {
    const result = newResult();
    const text = await collect(relayStream(input("openai", [openaiChunk("Hel"), openaiChunk("lo")]), result));
    expect(text).toContain('"content":"lo"');
    expect(text).toMatch(/data: \{"error":\{"message":"acme's stream ended before its final record/);
    expect(result.errorCode).toBe("upstream_error");
  });

  it("accepts an OpenAI stream that ends with a finish reason, with or without [DONE]", async () => {
    const usageChunk = `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } })}\n\n`;
    for (const chunks of [
      [openaiChunk("Hi"), openaiChunk("", "stop")],
      [openaiChunk("Hi"), openaiChunk("", "stop"), "data: [DONE]\n\n"],
      [openaiChunk("Hi"), "data: [DONE]\n\n"],
      // The finish chunk, then the usage chunk, without [DONE] (some compatible servers).
      [openaiChunk("Hi"), openaiChunk("", "stop"), usageChunk],
      [openaiChunk("Hi"), openaiChunk("", "stop"), usageChunk, "data: [DONE]\n\n"],
    ]) {
      const result = newResult();
      const text = await collect(relayStream(input("openai", chunks), result));
      expect(text).not.toContain('"error"');
      expect(result.errorCode).toBeUndefined();
    }
  });

  it("finds the final record among the last three, whether they came in one upstream chunk or one chunk each", async () => {
    const usageChunk = `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } })}\n\n`;
    const cases: Array<[string[], boolean]> = [
      [[openaiChunk("Hi"), openaiChunk("", "stop"), usageChunk, usageChunk], true],
      [[openaiChunk("Hi"), openaiChunk("", "stop"), usageChunk], true],
      [[openaiChunk("", "stop"), usageChunk, openaiChunk("a"), openaiChunk("b")], false],
      [[openaiChunk("", "stop"), openaiChunk("a")], true],
    ];
    for (const [records, complete] of cases) {
      // One record per chunk: the earlier ones are decided when their chunk is relayed, not kept until the end.
      for (const chunks of [records, [records.join("")]]) {
        const result = newResult();
        await collect(relayStream(input("openai", chunks), result));
        expect(result.errorCode === undefined, `${chunks.length} chunks: ${records.join("")}`).toBe(complete);
      }
    }
  });

  it("does not report an Anthropic stream without message_stop as complete: an error event", async () => {
    const result = newResult();
    const text = await collect(relayStream(input("anthropic", [anthropicStart, anthropicDelta]), result));
    expect(text).toContain("event: content_block_delta");
    expect(text).toMatch(
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"acme's stream ended before its final record/,
    );
    expect(result.errorCode).toBe("upstream_error");
    const stopped = newResult();
    const complete = await collect(
      relayStream(
        input("anthropic", [
          anthropicStart,
          anthropicDelta,
          'event: message_stop\ndata: {"type":"message_stop"}\n\n',
        ]),
        stopped,
      ),
    );
    expect(complete).not.toContain("event: error");
    expect(stopped.errorCode).toBeUndefined();
  });

  it("takes a message_stop record without an event name for the end (an SSE proxy that drops the names)", async () => {
    const unnamed = (event: string) => event.replace(/^event: [^\n]*\n/, "");
    const result = newResult();
    await collect(
      relayStream(
        input("anthropic", [
          unnamed(anthropicStart),
          unnamed(anthropicDelta),
          'data: {"type":"message_stop"}\n\n',
        ]),
        result,
      ),
    );
    expect(result.errorCode).toBeUndefined();
  });

  it("does not take a text delta that quotes message_stop for the end", async () => {
    const quoting = `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: '{"type":"message_stop"}' } })}\n\n`;
    const result = newResult();
    await collect(relayStream(input("anthropic", [anthropicStart, quoting]), result));
    expect(result.errorCode).toBe("upstream_error");
  });

  it("ends a Responses stream without response.completed with error and response.failed", async () => {
    const created = `event: response.created\ndata: ${JSON.stringify({ type: "response.created", response: { id: "r", status: "in_progress" } })}\n\n`;
    const result = newResult();
    const text = await collect(
      relayStream(input("openai-responses", [created], { providerDialect: "openai" }), result),
    );
    // Translated from an OpenAI chat upstream that sent nothing useful: the decoder's own error.
    expect(text).toContain("event: response.failed");
    expect(result.errorCode).toBe("upstream_error");
  });
});

describe("stream relay: a Responses pass-through that ends in response.failed", () => {
  it("relays it as it came (an echoed key scrubbed) and records an upstream error, not a success", async () => {
    const record = (type: string, response: object) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, response })}\n\n`;
    const failed = record("response.failed", {
      id: "r",
      status: "failed",
      error: { code: "server_error", message: "The model failed to answer (sk-live-secret)" },
      usage: { input_tokens: 5, output_tokens: 2 },
    });
    const result = newResult();
    const text = await collect(
      relayStream(
        {
          ...input("openai-responses", [
            record("response.created", { id: "r", status: "in_progress" }),
            failed,
          ]),
          // An OpenAI upstream's Responses endpoint: relayed as it came.
          passthrough: true,
          secrets: ["sk-live-secret"],
        },
        result,
      ),
    );
    // As it came, except for the key the upstream echoed in its message.
    expect(text).toBe(
      record("response.created", { id: "r", status: "in_progress" }) +
        failed.replace("sk-live-secret", scrubSecrets("sk-live-secret", ["sk-live-secret"])),
    );
    expect(text).not.toContain("sk-live-secret");
    expect(result).toMatchObject({ status: 502, errorCode: "upstream_error" });
    expect(result.usage).toMatchObject({ inputTokens: 5, outputTokens: 2 });
  });

  it("a response.failed that comes first is an HTTP error with the upstream's message, scrubbed", async () => {
    const failed = `event: response.failed\ndata: ${JSON.stringify({ type: "response.failed", response: { id: "r", status: "failed", error: { code: "server_error", message: "boom sk-live-secret" } } })}\n\n`;
    const result = newResult();
    const failure = await openRelay(
      {
        ...input("openai-responses", [failed]),
        passthrough: true,
        secrets: ["sk-live-secret"],
      },
      result,
    ).then(collect, (error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ status: 502, code: "upstream_error" });
    expect((failure as GatewayError).message).not.toContain("sk-live-secret");
  });
});

describe("openRelay: a stream that fails before its first byte is an HTTP error", () => {
  it.each([
    ["text/html; charset=utf-8", "<html><body>Bad gateway</body></html>"],
    ["application/json", '{"id":"chatcmpl-1","choices":[]}'],
  ])("refuses a 200 with %s at once", async (contentType, page) => {
    const result = newResult();
    const failure = await openRelay(input("openai", [page], { contentType }), result).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({
      status: 502,
      code: "upstream_error",
      message: `acme answered a stream request with ${contentType.split(";")[0]} instead of an event stream`,
    });
    expect(result).toMatchObject({ status: 502, errorCode: "upstream_error" });
  });

  it("refuses a body that is not an event stream (no content type) and one that is garbage from the start", async () => {
    for (const chunks of [["<html>\n<body>oops</body>\n</html>\n"], ["data: not json\n\n"], []]) {
      for (const dialect of ["openai", "anthropic"] as const) {
        const result = newResult();
        const failure = await openRelay(input(dialect, chunks), result).catch((error: unknown) => error);
        expect(failure, `${dialect} ${JSON.stringify(chunks)}`).toMatchObject({
          status: 502,
          code: "upstream_error",
        });
      }
    }
  });

  it("refuses a translated stream whose first record is garbage", async () => {
    const result = newResult();
    const failure = await openRelay(
      input("anthropic", ["data: <garbage>\n\n"], { providerDialect: "openai" }),
      result,
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 502, code: "upstream_error" });
  });

  it("keeps the status of an upstream error record that comes first (an overloaded Anthropic upstream)", async () => {
    const overloaded =
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const failure = await openRelay(input("anthropic", [overloaded]), newResult()).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ status: 503, code: "upstream_overloaded", message: "Overloaded" });
  });

  it("relays a healthy stream whole, first chunk included", async () => {
    const result = newResult();
    const relay = await openRelay(
      input("openai", [openaiChunk("Hel"), openaiChunk("lo"), openaiChunk("", "stop"), "data: [DONE]\n\n"], {
        contentType: "text/event-stream",
      }),
      result,
    );
    const text = await collect(relay);
    expect(text).toContain('"content":"Hel"');
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(result.errorCode).toBeUndefined();
  });

  it("a consumer that stops after the first chunk closes the upstream body", async () => {
    let closed = false;
    const upstream = (async function* () {
      try {
        yield Buffer.from(openaiChunk("Hel"));
        yield Buffer.from(openaiChunk("lo"));
        // An upstream that goes quiet: only a return() ends this body.
        await new Promise(() => {});
      } finally {
        closed = true;
      }
    })();
    const relay = await openRelay({ ...input("openai", []), body: upstream }, newResult());
    const iterator = relay[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toContain('"content":"Hel"');
    await iterator.return?.(undefined);
    expect(closed).toBe(true);
  });

  it("after the first byte, a failure is an error record in the stream", async () => {
    const result = newResult();
    const relay = await openRelay(input("openai", [openaiChunk("Hel"), "data: garbage\n\n"]), result);
    expect(await collect(relay)).toMatch(/"content":"Hel"[\s\S]*data: \{"error":/);
    expect(result.errorCode).toBe("upstream_error");
  });
});

describe("stream relay: bounded records", () => {
  it("fails a record that never ends instead of buffering it whole", async () => {
    const megabyte = "x".repeat(1024 * 1024);
    const chunks = [openaiChunk("Hel"), "data: {", ...Array.from({ length: 10 }, () => megabyte)];
    const result = newResult();
    const text = await collect(relayStream(input("openai", chunks), result));
    expect(text).toMatch(/the upstream stream sent a record larger than 8 MiB without ending it/);
    expect(result.errorCode).toBe("upstream_error");
  });
});
