// A fast mock LLM upstream for the benchmark: OpenAI chat completions and Anthropic messages, plain and
// streaming, and Bedrock's InvokeModel (plain only), every byte pre-serialised. Runs as its own process (spawned by bench/run.ts) so its CPU and
// memory are measured apart from the gateway's. Only imports node built-ins: it is run directly by Node.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

interface StreamShape {
  chunks: number;
  delayMs: number;
}

const TEXT_WORDS = "The quick brown fox jumps over the lazy dog while the gateway relays every token. ";
const OPENAI_ID = "chatcmpl-bench0000000000000000000000";
const CREATED = 1_750_000_000;

function openaiJson(): Buffer {
  const body = {
    id: OPENAI_ID,
    object: "chat.completion",
    created: CREATED,
    model: "gpt-4o-mini-2024-07-18",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: TEXT_WORDS.repeat(8).trim(), refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: {
      prompt_tokens: 240,
      completion_tokens: 136,
      total_tokens: 376,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    service_tier: "default",
    system_fingerprint: "fp_bench",
  };
  return Buffer.from(JSON.stringify(body));
}

function anthropicJson(): Buffer {
  const body = {
    id: "msg_01bench000000000000000000",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content: [{ type: "text", text: TEXT_WORDS.repeat(9).trim() }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: 240,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 136,
    },
  };
  return Buffer.from(JSON.stringify(body));
}

const sse = (data: unknown): Buffer => Buffer.from(`data: ${JSON.stringify(data)}\n\n`);
const event = (type: string, data: unknown): Buffer =>
  Buffer.from(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);

/** Every record of one stream; the middle `chunks` records are the token deltas. */
function openaiStream(chunks: number): Buffer[] {
  const base = { id: OPENAI_ID, object: "chat.completion.chunk", created: CREATED, model: "gpt-4o-mini" };
  const records = [sse({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" } }] })];
  for (let i = 0; i < chunks; i++) {
    records.push(
      sse({ ...base, choices: [{ index: 0, delta: { content: "token " }, finish_reason: null }] }),
    );
  }
  records.push(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
  records.push(
    sse({
      ...base,
      choices: [],
      usage: { prompt_tokens: 240, completion_tokens: chunks, total_tokens: 240 + chunks },
    }),
  );
  records.push(Buffer.from("data: [DONE]\n\n"));
  return records;
}

function anthropicStream(chunks: number): Buffer[] {
  const records = [
    event("message_start", {
      type: "message_start",
      message: {
        id: "msg_01bench000000000000000000",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5-20250929",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 240,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    }),
    event("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    }),
  ];
  for (let i = 0; i < chunks; i++) {
    records.push(
      event("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: "token " },
      }),
    );
  }
  records.push(event("content_block_stop", { type: "content_block_stop", index: 0 }));
  records.push(
    event("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: chunks },
    }),
  );
  records.push(event("message_stop", { type: "message_stop" }));
  return records;
}

const json = { openai: openaiJson(), anthropic: anthropicJson() };
let shape: StreamShape = { chunks: 200, delayMs: 0 };
let streams = { openai: openaiStream(shape.chunks), anthropic: anthropicStream(shape.chunks) };
const STREAM_FLAG = /"stream"\s*:\s*true/;
/** Bedrock InvokeModel: `POST /model/<url-encoded model id>/invoke` (streaming is another operation). */
const INVOKE_PATH = /\/model\/[^/]+\/invoke$/;
const invokeHeaders = {
  "content-type": "application/json",
  "content-length": json.anthropic.length,
  "x-amzn-requestid": "00000000-bench-0000-0000-000000000000",
};
const forbidden = Buffer.from(
  JSON.stringify({ message: "mock: InvokeModel without an AWS4-HMAC-SHA256 authorization header" }),
);

function relay(res: ServerResponse, records: Buffer[], delayMs: number): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  let next = 0;
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  const step = (): void => {
    if (closed) return;
    const record = records[next++];
    if (record === undefined) {
      res.end();
      return;
    }
    res.write(record);
    // A zero delay still yields to the event loop so records leave as separate writes, as upstreams send them.
    if (delayMs > 0) setTimeout(step, delayMs);
    else setImmediate(step);
  };
  step();
}

function readBody(req: IncomingMessage, done: (body: string) => void): void {
  const parts: Buffer[] = [];
  req.on("data", (part: Buffer) => parts.push(part));
  req.on("end", () => done(Buffer.concat(parts).toString("utf8")));
}

const server = createServer((req, res) => {
  const url = req.url ?? "/";
  if (req.method === "GET" && url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  readBody(req, (body) => {
    // Match on the path's tail: a provider's endpoint may or may not carry a /v1 prefix.
    const path = url.split("?")[0] ?? "";
    if (req.method === "POST" && INVOKE_PATH.test(path)) {
      // Only that the request is SigV4-signed at all: verifying the signature would add mock CPU per request.
      const signed = req.headers.authorization?.startsWith("AWS4-HMAC-SHA256 ") ?? false;
      if (signed) res.writeHead(200, invokeHeaders).end(json.anthropic);
      else
        res
          .writeHead(403, { "content-type": "application/json", "x-amzn-errortype": "AccessDeniedException" })
          .end(forbidden);
      return;
    }
    const dialect = path.endsWith("/chat/completions")
      ? "openai"
      : path.endsWith("/messages")
        ? "anthropic"
        : undefined;
    if (req.method === "POST" && url === "/__bench/config") {
      shape = JSON.parse(body) as StreamShape;
      streams = { openai: openaiStream(shape.chunks), anthropic: anthropicStream(shape.chunks) };
      res.writeHead(204).end();
    } else if (req.method !== "POST" || dialect === undefined) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end('{"error":{"message":"mock: no route"}}');
    } else if (STREAM_FLAG.test(body)) {
      relay(res, streams[dialect], shape.delayMs);
    } else {
      const payload = json[dialect];
      res
        .writeHead(200, { "content-type": "application/json", "content-length": payload.length })
        .end(payload);
    }
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 70_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

const portArg = process.argv.indexOf("--port");
server.listen(portArg > 0 ? Number(process.argv[portArg + 1]) : 0, "127.0.0.1", 4096, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  if (process.send) process.send({ type: "ready", port });
  else process.stdout.write(`mock upstream listening on http://127.0.0.1:${port}\n`);
});
