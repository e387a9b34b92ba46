/**
 * A local stand-in for every provider at once (node:http on 127.0.0.1, port 0). The first path segment
 * names the provider flavour (`/openai/v1/chat/completions`, `/azure/openai/deployments/…`), the body's
 * `model` (the upstream `modelName`) names the kind of answer, `stream` picks the stream or the JSON body.
 * `POST …/responses` (OpenAI's `/openai/v1/responses`, Azure's `/azure/openai/responses?api-version=…` and
 * `/azure/openai/v1/responses`) answers with the recorded Responses API traffic, as OpenAI sends it.
 * Every request is recorded (method, path + query, headers, parsed body, when it closed) so tests can
 * assert what the gateway sent. Tests may script answers for a path prefix or a model name.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import {
  completionRecording,
  embeddingBody,
  type Flavour,
  frame,
  type Kind,
  mistralFimBody,
  type Recording,
  type ResponsesKind,
  recordingFor,
  responsesRecording,
  streamEnd,
} from "./recordings.js";

export interface ReceivedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape; tests pick fields.
  body: any;
  receivedAt: number;
  /** performance.now() when the connection or response closed before the answer was complete. */
  abortedAt?: number;
  /** performance.now() when the answer was complete. */
  finishedAt?: number;
}

export type ScriptedHandler = (
  request: ReceivedRequest,
  response: ServerResponse,
  mock: MockUpstream,
) => void | Promise<void>;

interface Script {
  match: (request: ReceivedRequest) => boolean;
  handler: ScriptedHandler;
}

const flavours = new Set<Flavour>(["openai", "azure", "anthropic", "compat", "mistral", "fireworks"]);

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

export class MockUpstream {
  readonly requests: ReceivedRequest[] = [];
  private scripts: Script[] = [];
  private readonly server = createServer((request, response) => this.receive(request, response));
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

  /** Answers requests matching `match` with `handler` until `reset()`; later scripts win. */
  script(match: string | ((request: ReceivedRequest) => boolean), handler: ScriptedHandler): void {
    const predicate =
      typeof match === "string"
        ? (request: ReceivedRequest) => request.path.startsWith(match) || request.body?.model === match
        : match;
    this.scripts.unshift({ match: predicate, handler });
  }

  reset(): void {
    this.scripts = [];
    this.requests.length = 0;
  }

  /** The requests whose path starts with `prefix`. */
  received(prefix: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path.startsWith(prefix));
  }

  last(prefix = "/"): ReceivedRequest {
    const found = this.received(prefix);
    const request = found[found.length - 1];
    if (!request) throw new Error(`the mock received no request under ${prefix}`);
    return request;
  }

  private receive(incoming: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const parsed = new URL(incoming.url ?? "/", "http://mock");
      let body: unknown;
      try {
        body = rawBody === "" ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const request: ReceivedRequest = {
        method: incoming.method ?? "",
        url: incoming.url ?? "",
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: incoming.headers,
        rawBody,
        body,
        receivedAt: performance.now(),
      };
      this.requests.push(request);
      response.once("close", () => {
        if (response.writableFinished) request.finishedAt ??= performance.now();
        else request.abortedAt ??= performance.now();
      });
      response.once("finish", () => {
        request.finishedAt ??= performance.now();
      });
      const script = this.scripts.find((candidate) => candidate.match(request));
      const handler = script?.handler ?? replayFixture;
      Promise.resolve(handler(request, response, this)).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { "content-type": "text/plain" });
          response.end(`mock failed: ${(error as Error).message}`);
        } else response.destroy();
      });
    });
  }
}

export async function startMockUpstream(): Promise<MockUpstream> {
  return new MockUpstream().start();
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export interface StreamOptions {
  /** Stop after this many payloads, then do `after`. */
  stopAfter?: number;
  /** After stopping: keep the connection open (hang), or break it (destroy). */
  after?: "hang" | "destroy";
  /** Delay between payloads. */
  delayMs?: number;
}

/** Writes a recording as SSE, one write per payload. */
export async function streamRecording(
  response: ServerResponse,
  recording: Recording,
  options: StreamOptions = {},
): Promise<void> {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
  const count = Math.min(options.stopAfter ?? recording.payloads.length, recording.payloads.length);
  // Before a scripted stop, each payload must really leave: Node corks response writes until the next
  // tick, and destroying the socket would drop what is still corked.
  const flush = options.stopAfter !== undefined;
  for (let index = 0; index < count; index++) {
    if (response.destroyed) return;
    const data = frame(recording.dialect, recording.payloads[index]!);
    if (flush) await new Promise<void>((resolve) => response.write(data, () => resolve()));
    else response.write(data);
    if (options.delayMs) await sleep(options.delayMs);
  }
  if (options.stopAfter !== undefined) {
    if (options.after === "destroy") response.destroy();
    // "hang": nothing more is written; the test or the gateway ends it.
    return;
  }
  response.end(streamEnd(recording.dialect));
}

/** The flavour from the first path segment (`/openai/…`, `/compat-b/…` → compat). */
export function flavourOf(path: string): Flavour | undefined {
  const segment = path.split("/")[1] ?? "";
  const base = segment.split("-")[0] as Flavour;
  return flavours.has(base) ? base : undefined;
}

/** Azure's classic URLs name the deployment (the model) in the path. */
function deploymentOf(path: string): string | undefined {
  return /\/openai\/deployments\/([^/]+)\//.exec(path)?.[1];
}

export function kindOf(model: unknown): Kind | "tools-no-args" {
  if (model === "tools" || model === "thinking" || model === "tools-no-args") return model;
  return "text";
}

/** The Responses recording a model name asks for: `tools`, `thinking`, `error`, anything else text. */
export function responsesKindOf(model: unknown): ResponsesKind {
  if (model === "tools" || model === "thinking" || model === "error") return model;
  return "text";
}

/** The providers whose definitions serve the Responses API; the others have no such path. */
const responsesFlavours = new Set<Flavour>(["openai", "azure"]);

/**
 * A recorded Responses API answer: the stream (`event: <type>` + `data:` per event, no `[DONE]`) or the JSON
 * body, the `error` kind with OpenAI's error status when not streamed.
 */
export async function replayResponses(request: ReceivedRequest, response: ServerResponse): Promise<void> {
  const recording = responsesRecording(responsesKindOf(request.body?.model));
  if (request.body?.stream === true) return streamRecording(response, recording);
  return sendJson(response, recording.bodyStatus ?? 200, recording.body);
}

/** The default answer: the recorded fixture for this provider, kind and mode. */
export async function replayFixture(request: ReceivedRequest, response: ServerResponse): Promise<void> {
  const flavour = flavourOf(request.path);
  if (!flavour) {
    sendJson(response, 404, { error: { message: `mock: unknown provider path ${request.path}` } });
    return;
  }
  const stream = request.body?.stream === true;
  if (request.path.endsWith("/responses")) {
    if (responsesFlavours.has(flavour)) return replayResponses(request, response);
    return sendJson(response, 404, { error: { message: `mock: ${flavour} has no Responses API` } });
  }
  if (request.path.endsWith("/embeddings")) return sendJson(response, 200, embeddingBody());
  if (request.path.endsWith("/messages/count_tokens")) {
    // No recorded count_tokens answer: the recorded text message's input tokens for the same prompt.
    const usage = recordingFor("anthropic", "text").body.usage as { input_tokens: number };
    return sendJson(response, 200, { input_tokens: usage.input_tokens });
  }
  if (request.path.endsWith("/fim/completions")) {
    if (stream) return streamRecording(response, recordingFor("mistral", "text"));
    return sendJson(response, 200, mistralFimBody());
  }
  const recording =
    request.path.endsWith("/completions") && !request.path.endsWith("/chat/completions")
      ? completionRecording()
      : recordingFor(flavour, kindOf(deploymentOf(request.path) ?? request.body?.model));
  if (stream) return streamRecording(response, recording);
  return sendJson(response, 200, recording.body);
}
