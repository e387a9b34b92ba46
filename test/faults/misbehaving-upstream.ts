/**
 * A local upstream that misbehaves on purpose, picked by the request body's `model` (the upstream model name):
 * resets before or after its headers, goes silent, drips, answers garbage, HTML, broken JSON, 429, 529 or a
 * storm of 500s. OpenAI-chat or Anthropic wire by the path (`/anthropic/…` speaks Anthropic). Counts requests
 * per model so tests can see what reached it (an open circuit sends nothing).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { eventFrame } from "../mock-upstream/aws-event-stream-frames.js";

export type Misbehaviour =
  | "healthy"
  | "reset-before-headers"
  | "reset-mid-stream"
  | "headers-then-silence"
  | "no-headers"
  | "slow-drip"
  | "drip-within-idle"
  | "invalid-json"
  | "html-page"
  | "json-instead-of-stream"
  | "sse-garbage"
  | "no-terminal-record"
  | "rate-limited"
  | "overloaded"
  | "server-error"
  | "bad-crc";

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const openaiChunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-f", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
const openaiUsage = `data: ${JSON.stringify({ id: "chatcmpl-f", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\n`;
const openaiWhole = {
  id: "chatcmpl-f",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};
const anthropicEvents = [
  [
    "message_start",
    {
      type: "message_start",
      message: {
        id: "msg_f",
        type: "message",
        role: "assistant",
        model: "m",
        content: [],
        stop_reason: null,
        usage: { input_tokens: 5, output_tokens: 1 },
      },
    },
  ],
  [
    "content_block_start",
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  ],
  [
    "content_block_delta",
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } },
  ],
  ["content_block_stop", { type: "content_block_stop", index: 0 }],
  [
    "message_delta",
    {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 2 },
    },
  ],
  ["message_stop", { type: "message_stop" }],
] as const;
const anthropicRecord = ([name, data]: readonly [string, unknown]) =>
  `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

function streamHead(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream" });
}

/** A healthy answer in the path's dialect: the whole stream, or the JSON body. */
function healthy(anthropic: boolean, stream: boolean, response: ServerResponse): void {
  if (!stream) {
    const body = anthropic
      ? {
          id: "msg_f",
          type: "message",
          role: "assistant",
          model: "m",
          content: [{ type: "text", text: "Hello" }],
          stop_reason: "end_turn",
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 2 },
        }
      : openaiWhole;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
    return;
  }
  streamHead(response);
  response.end(
    anthropic
      ? anthropicEvents.map(anthropicRecord).join("")
      : `${openaiChunk("Hello") + openaiChunk("", "stop") + openaiUsage}data: [DONE]\n\n`,
  );
}

function errorBody(anthropic: boolean, type: string, message: string): string {
  return JSON.stringify(
    anthropic
      ? { type: "error", error: { type, message } }
      : { error: { message, type, code: null, param: null } },
  );
}

async function misbehave(
  kind: Misbehaviour,
  anthropic: boolean,
  stream: boolean,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  switch (kind) {
    case "healthy":
      return healthy(anthropic, stream, response);
    case "reset-before-headers":
      request.socket.destroy();
      return;
    case "reset-mid-stream":
      streamHead(response);
      response.write(anthropic ? anthropicRecord(anthropicEvents[0]) : openaiChunk("Hel"));
      await sleep(50);
      request.socket.destroy();
      return;
    case "headers-then-silence":
      streamHead(response);
      response.flushHeaders();
      return;
    case "no-headers":
      return;
    case "slow-drip":
    case "drip-within-idle": {
      // One record a second (slow-drip), or every 200 ms for 2 s (drip-within-idle: a long healthy stream).
      const every = kind === "slow-drip" ? 1_000 : 200;
      streamHead(response);
      response.flushHeaders();
      for (let index = 0; index < 10 && !response.destroyed; index++) {
        await sleep(every);
        response.write(openaiChunk(`${index} `));
      }
      response.end(`${openaiChunk("", "stop") + openaiUsage}data: [DONE]\n\n`);
      return;
    }
    case "invalid-json":
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"id":"chatcmpl-f","choices":[{"message":');
      return;
    case "html-page":
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html><body><h1>Welcome to nginx!</h1></body></html>");
      return;
    case "json-instead-of-stream":
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(openaiWhole));
      return;
    case "sse-garbage":
      streamHead(response);
      response.write(anthropic ? anthropicRecord(anthropicEvents[0]) : openaiChunk("Hel"));
      await sleep(20);
      response.end("data: <b>Proxy error</b>\n\n");
      return;
    case "no-terminal-record":
      streamHead(response);
      response.end(
        anthropic
          ? anthropicEvents.slice(0, 3).map(anthropicRecord).join("")
          : openaiChunk("Hel") + openaiChunk("lo"),
      );
      return;
    case "rate-limited":
      response.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      response.end(errorBody(anthropic, anthropic ? "rate_limit_error" : "rate_limit_exceeded", "Slow down"));
      return;
    case "overloaded":
      response.writeHead(529, { "content-type": "application/json" });
      response.end(errorBody(anthropic, "overloaded_error", "Overloaded"));
      return;
    case "server-error":
      response.writeHead(500, { "content-type": "application/json" });
      response.end(errorBody(anthropic, "api_error", "Internal server error"));
      return;
    case "bad-crc":
      return badCrc(response);
  }
}

/**
 * Bedrock ConverseStream whose second event-stream frame fails its message CRC (a bit flipped in transit): the
 * first frame is sound, so the gateway has started relaying when the damage arrives.
 */
function badCrc(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
  response.write(eventFrame("messageStart", JSON.stringify({ role: "assistant", p: "abcd" })));
  const damaged = eventFrame(
    "contentBlockDelta",
    JSON.stringify({ contentBlockIndex: 0, delta: { text: "Hel" }, p: "ab" }),
  );
  damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 0xff;
  response.end(damaged);
}

export class MisbehavingUpstream {
  private readonly server = createServer((request, response) => this.receive(request, response));
  /** Requests received per model name. */
  readonly received = new Map<string, number>();
  /** Overrides per model name (the storm test makes a model healthy again). */
  readonly behaviour = new Map<string, Misbehaviour>();
  url = "";

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  count(model: string): number {
    return this.received.get(model) ?? 0;
  }

  private receive(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let body: { model?: string; stream?: boolean } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {}
      // Bedrock names the model in the path (`/bedrock/model/{id}/{operation}`), the others in the body.
      const bedrock = /^\/bedrock\/model\/([^/]+)\//.exec(request.url ?? "");
      const model = bedrock ? decodeURIComponent(bedrock[1]!) : (body.model ?? "");
      this.received.set(model, this.count(model) + 1);
      const kind = this.behaviour.get(model) ?? (model as Misbehaviour);
      const anthropic = (request.url ?? "").startsWith("/anthropic");
      misbehave(kind, anthropic, body.stream === true, request, response).catch(() => response.destroy());
    });
  }
}
