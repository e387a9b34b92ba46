/**
 * A local stand-in for Google's and AWS's model APIs, on a MockUpstream (so every request is recorded the same
 * way), checking each request's credentials as the real service would and answering with the recorded
 * traffic of cloud-recordings.ts:
 * - `/gemini/v1beta/models/<model>:generateContent | :streamGenerateContent?alt=sse | :batchEmbedContents`: the
 *   Gemini API, key in `x-goog-api-key` (403 without one, 400 API_KEY_INVALID for an unknown one).
 * - `/vertex/…/publishers/google/models/<model>:generateContent | :streamGenerateContent?alt=sse | :predict` and
 *   `/vertex/…/publishers/anthropic/models/<model>:rawPredict | :streamRawPredict`: Vertex AI, an OAuth bearer
 *   the token server issued (401 otherwise); Anthropic bodies need `anthropic_version: vertex-2023-10-16` and no
 *   `model` (400 otherwise).
 * - `/bedrock/model/<id>/invoke | invoke-with-response-stream | converse | converse-stream`: Bedrock Runtime
 *   behind a VPC-endpoint URL. SigV4 checked independently (sigv4-verifier.ts) against the static secrets, or a
 *   Bedrock API key as `authorization: Bearer`; a bad signature gets Bedrock's 403 InvalidSignatureException.
 *   InvokeModel bodies need `anthropic_version: bedrock-2023-05-31` and neither `model` nor `stream`, as Bedrock
 *   refuses extraneous keys. Streams are AWS event-stream frames. Embedding models (Titan, Cohere Embed: ids
 *   `amazon.titan-embed-text-…`, `cohere.embed-…`) take `invoke` with their own bodies.
 * Embedding requests are checked and answered by cloud-embeddings.ts.
 * The answer's kind follows the request: a request declaring tools, with no tool result in its history, gets
 * the recorded tool call; any other the recorded text. Bedrock model ids containing `throttled-midstream` get a
 * throttlingException frame after three records, ids containing `throttled` Bedrock's 429 ThrottlingException.
 */
import type { ServerResponse } from "node:http";
import { eventFrame, exceptionFrame, invokeChunkFrame } from "./aws-event-stream-frames.js";
import {
  bedrockEmbeddingModel,
  cohereInvoke,
  type EmbeddingAnswer,
  geminiBatchEmbed,
  titanInvoke,
  vertexPredict,
} from "./cloud-embeddings.js";
import { type CloudKind, type CloudTarget, cloudRecording, type StreamRecord } from "./cloud-recordings.js";
import { type MockUpstream, type ReceivedRequest, sendJson, startMockUpstream } from "./mock-upstream.js";
import type { OAuthTokenServer } from "./oauth-token-server.js";
import { type SigV4Verdict, verifySigV4 } from "./sigv4-verifier.js";

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any shape.
type Loose = any;

export interface CloudMockOptions {
  /** Gemini API keys accepted in `x-goog-api-key`. */
  geminiKeys: readonly string[];
  /** Vertex accepts the access tokens this server issued. */
  oauth: OAuthTokenServer;
  aws: {
    region: string;
    /** Static SigV4 keys: access key id → secret. */
    secrets: Readonly<Record<string, string>>;
    /** Bedrock API keys accepted as `authorization: Bearer`. */
    bearerKeys: readonly string[];
  };
}

/** What the mock made of one Bedrock request. */
export interface BedrockCall {
  request: ReceivedRequest;
  /** The path as received, still percent-encoded. */
  rawPath: string;
  /** The model id (or ARN) segment as received, and decoded. */
  rawModelId: string;
  modelId: string;
  operation: string;
  auth: "sigv4" | "bearer" | "none";
  verdict?: SigV4Verdict;
}

export const invalidSignatureMessage =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
export const throttlingMessage = "Too many requests, please wait before trying again.";

const GOOGLE = /^\/gemini\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/;
const VERTEX = /^\/vertex\/.*\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/;
const BEDROCK = /^\/bedrock\/model\/([^/]+)\/([a-z-]+)$/;

function googleError(response: ServerResponse, code: number, status: string, message: string, extra = {}) {
  sendJson(response, code, { error: { code, message, status, ...extra } });
}

function bedrockError(response: ServerResponse, status: number, type: string, message: string) {
  sendJson(
    response,
    status,
    { message },
    { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  );
}

function sendAnswer(response: ServerResponse, answer: EmbeddingAnswer) {
  sendJson(response, answer.status, answer.body, answer.headers);
}

function rawPathOf(request: ReceivedRequest): string {
  return request.url.split("?")[0] ?? "";
}

function hasTools(request: ReceivedRequest, target: CloudTarget): boolean {
  const body = request.body ?? {};
  const tools: unknown[] =
    target === "bedrock-converse"
      ? (body.toolConfig?.tools ?? [])
      : Array.isArray(body.tools)
        ? body.tools
        : [];
  return tools.length > 0;
}

function hasToolResult(request: ReceivedRequest, target: CloudTarget): boolean {
  const body = request.body ?? {};
  if (target === "gemini" || target === "vertex")
    return (body.contents ?? []).some((turn: Loose) =>
      (turn.parts ?? []).some((part: Loose) => part.functionResponse),
    );
  const blocks = (body.messages ?? []).flatMap((message: Loose) =>
    Array.isArray(message.content) ? message.content : [],
  );
  return target === "bedrock-converse"
    ? blocks.some((block: Loose) => block.toolResult)
    : blocks.some((block: Loose) => block.type === "tool_result");
}

export function kindFor(request: ReceivedRequest, target: CloudTarget): CloudKind {
  return hasTools(request, target) && !hasToolResult(request, target) ? "tools" : "text";
}

async function writeAll(response: ServerResponse, chunks: Array<string | Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (response.destroyed) return;
    await new Promise<void>((resolve) => response.write(chunk, () => resolve()));
  }
}

async function sseAnswer(response: ServerResponse, records: StreamRecord[], anthropic: boolean) {
  response.writeHead(200, { "content-type": "text/event-stream" });
  await writeAll(
    response,
    records.map(({ eventType, payload }) =>
      anthropic ? `event: ${eventType}\ndata: ${payload}\n\n` : `data: ${payload}\r\n\r\n`,
    ),
  );
  response.end();
}

export class CloudMock {
  readonly bedrockCalls: BedrockCall[] = [];

  constructor(
    readonly mock: MockUpstream,
    private readonly options: CloudMockOptions,
  ) {
    mock.script(
      (request) => /^\/(gemini|vertex|bedrock)\//.test(request.path),
      (request, response) => this.answer(request, response),
    );
  }

  get url(): string {
    return this.mock.url;
  }

  get requests(): ReceivedRequest[] {
    return this.mock.requests;
  }

  received(prefix: string): ReceivedRequest[] {
    return this.mock.received(prefix);
  }

  last(prefix = "/"): ReceivedRequest {
    return this.mock.last(prefix);
  }

  lastBedrock(): BedrockCall {
    const call = this.bedrockCalls.at(-1);
    if (!call) throw new Error("the mock received no Bedrock request");
    return call;
  }

  /** Forgets the requests received; the routes stay. */
  clear(): void {
    this.mock.requests.length = 0;
    this.bedrockCalls.length = 0;
  }

  close(): Promise<void> {
    return this.mock.close();
  }

  private async answer(request: ReceivedRequest, response: ServerResponse): Promise<void> {
    const path = rawPathOf(request);
    const google = GOOGLE.exec(path);
    if (google) return this.gemini(request, response, "gemini", google[2]!, google[1]!);
    const vertex = VERTEX.exec(path);
    if (vertex) {
      const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
      if (!token || !this.options.oauth.accepts(token)) {
        return googleError(
          response,
          401,
          "UNAUTHENTICATED",
          "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        );
      }
      if (vertex[1] === "anthropic") return this.vertexClaude(request, response, vertex[3]!);
      return this.gemini(request, response, "vertex", vertex[3]!, vertex[2]!);
    }
    const bedrock = BEDROCK.exec(path);
    if (bedrock) return this.bedrock(request, response, path, bedrock[1]!, bedrock[2]!);
    sendJson(response, 404, { message: `cloud mock: no route for ${request.method} ${request.url}` });
  }

  private async gemini(
    request: ReceivedRequest,
    response: ServerResponse,
    target: CloudTarget,
    method: string,
    model: string,
  ) {
    if (target === "gemini") {
      const key = request.headers["x-goog-api-key"];
      if (typeof key !== "string" || key === "")
        return googleError(response, 403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.");
      if (!this.options.geminiKeys.includes(key)) {
        return googleError(
          response,
          400,
          "INVALID_ARGUMENT",
          "API key not valid. Please pass a valid API key.",
          {
            details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
          },
        );
      }
    }
    if (target === "gemini" && method === "batchEmbedContents")
      return sendAnswer(response, geminiBatchEmbed(decodeURIComponent(model), request.body));
    if (target === "vertex" && method === "predict")
      return sendAnswer(response, vertexPredict(decodeURIComponent(model), request.body));
    const recording = cloudRecording(target, kindFor(request, target));
    if (method === "generateContent") return sendJson(response, 200, recording.body);
    if (method === "streamGenerateContent" && request.query.get("alt") === "sse")
      return sseAnswer(response, recording.stream, false);
    return googleError(response, 400, "INVALID_ARGUMENT", `cloud mock: unexpected method ${method}`);
  }

  private async vertexClaude(request: ReceivedRequest, response: ServerResponse, method: string) {
    const body = request.body ?? {};
    const refuse = (message: string) =>
      sendJson(response, 400, { type: "error", error: { type: "invalid_request_error", message } });
    if (body.anthropic_version !== "vertex-2023-10-16")
      return refuse(`anthropic_version: expected vertex-2023-10-16, got ${String(body.anthropic_version)}`);
    if ("model" in body) return refuse("model: Extra inputs are not permitted");
    const recording = cloudRecording("vertex-claude", kindFor(request, "vertex-claude"));
    if (method === "rawPredict") return sendJson(response, 200, recording.body);
    if (method === "streamRawPredict") return sseAnswer(response, recording.stream, true);
    return refuse(`cloud mock: unexpected method ${method}`);
  }

  private authenticate(request: ReceivedRequest, call: BedrockCall): boolean {
    const authorization = String(request.headers.authorization ?? "");
    if (authorization.startsWith("Bearer ")) {
      call.auth = "bearer";
      return this.options.aws.bearerKeys.includes(authorization.slice("Bearer ".length));
    }
    if (authorization === "") return false;
    call.auth = "sigv4";
    call.verdict = verifySigV4(
      {
        method: request.method,
        path: call.rawPath,
        query: request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : "",
        headers: request.headers,
        body: Buffer.from(request.rawBody, "utf8"),
      },
      this.options.aws.secrets,
      { region: this.options.aws.region, service: "bedrock" },
    );
    return call.verdict.ok;
  }

  private async bedrock(
    request: ReceivedRequest,
    response: ServerResponse,
    rawPath: string,
    rawModelId: string,
    operation: string,
  ) {
    const call: BedrockCall = {
      request,
      rawPath,
      rawModelId,
      modelId: decodeURIComponent(rawModelId),
      operation,
      auth: "none",
    };
    this.bedrockCalls.push(call);
    if (!this.authenticate(request, call)) {
      if (call.auth === "none")
        return bedrockError(
          response,
          403,
          "MissingAuthenticationTokenException",
          "Missing Authentication Token",
        );
      if (call.auth === "bearer")
        return bedrockError(
          response,
          403,
          "UnrecognizedClientException",
          "Invalid API Key format: Must start with pre-defined prefix",
        );
      return bedrockError(response, 403, "InvalidSignatureException", invalidSignatureMessage);
    }
    const body = request.body ?? {};
    const embedding = bedrockEmbeddingModel(call.modelId);
    if (embedding && operation === "invoke")
      return sendAnswer(response, embedding === "titan" ? titanInvoke(body) : cohereInvoke(body));
    const invoke = operation === "invoke" || operation === "invoke-with-response-stream";
    const target: CloudTarget = invoke ? "bedrock-invoke" : "bedrock-converse";
    for (const key of ["model", "stream"]) {
      if (key in body)
        return bedrockError(
          response,
          400,
          "ValidationException",
          `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`,
        );
    }
    if (invoke && body.anthropic_version !== "bedrock-2023-05-31")
      return bedrockError(
        response,
        400,
        "ValidationException",
        "Malformed input request: anthropic_version is required",
      );
    if (call.modelId.includes("throttled") && !call.modelId.includes("throttled-midstream"))
      return bedrockError(response, 429, "ThrottlingException", throttlingMessage);
    const recording = cloudRecording(target, kindFor(request, target));
    if (operation === "invoke" || operation === "converse") return sendJson(response, 200, recording.body);
    const frames = recording.stream.map((record) =>
      invoke ? invokeChunkFrame(record.payload) : eventFrame(record.eventType!, record.payload),
    );
    response.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": "2a1e2b60-8f3c-4c1e-9b7d-3f0e6c9d1a77",
      ...(invoke ? { "x-amzn-bedrock-content-type": "application/json" } : {}),
    });
    if (call.modelId.includes("throttled-midstream")) {
      await writeAll(response, [
        ...frames.slice(0, 3),
        exceptionFrame("throttlingException", { message: throttlingMessage }),
      ]);
      return void response.end();
    }
    await writeAll(response, frames);
    response.end();
  }
}

export async function startCloudMock(options: CloudMockOptions): Promise<CloudMock> {
  return new CloudMock(await startMockUpstream(), options);
}
