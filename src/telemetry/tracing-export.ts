import type { IncomingHttpHeaders } from "node:http";
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_PATH,
} from "@opentelemetry/semantic-conventions";
import { GatewayError } from "../errors/index.js";
import type { UpstreamCallTrace } from "../upstream/call-trace.js";
import { RequestTrace, type TracedCall, type TracedEnd, type TraceStep, type Tracing } from "./tracing.js";
import {
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_REQUEST_STREAM,
  GEN_AI_SYSTEM,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  genAiOperation,
  genAiProviderName,
  modelIdOf,
  TOLLGATE_ACTOR_ID,
  TOLLGATE_ERROR_CODE,
  TOLLGATE_MODEL_REF,
  TOLLGATE_PROVIDER_ID,
  TOLLGATE_REQUEST_ID,
} from "./tracing-attributes.js";
import { formatTraceparent, parseTraceparent } from "./tracing-context.js";
import { pooledIdGenerator } from "./tracing-ids.js";

export interface ExportOptions {
  /** Where finished spans go, in batches (OTLP over HTTP; tests may pass their own). */
  exporter: SpanExporter;
  serviceName: string;
  serviceVersion?: string;
  /** Share of new traces recorded; a caller's sampled flag decides for traces it continues (parent-based). */
  sampleRatio: number;
  /** A provider's type by id, for `gen_ai.provider.name`. */
  providerType?: (providerId: string) => string | undefined;
  /** How long spans wait for their batch; the SDK's default is 5 s. */
  scheduledDelayMillis?: number;
}

/** Spans through the OpenTelemetry SDK, batched and handed to the exporter. */
export function exportingTracing(options: ExportOptions): Tracing {
  const exporter = options.exporter;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    sampler: new ParentBasedSampler({
      root:
        options.sampleRatio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(options.sampleRatio),
    }),
    idGenerator: pooledIdGenerator,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        // Four spans a request: the SDK's 2,048 would hold half a second of a busy gateway while a batch is sent.
        maxQueueSize: 8192,
        ...(options.scheduledDelayMillis === undefined
          ? {}
          : { scheduledDelayMillis: options.scheduledDelayMillis }),
      }),
    ],
  });
  const tracer = provider.getTracer("tollgate", options.serviceVersion);
  const providerType = options.providerType ?? (() => undefined);
  return {
    exporting: true,
    start(headers, method, path) {
      return startServerSpan(tracer, providerType, headers, method, path);
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}

function startServerSpan(
  tracer: Tracer,
  providerType: (providerId: string) => string | undefined,
  headers: IncomingHttpHeaders,
  method: string,
  path: string,
): RequestTrace {
  const parent = headers.traceparent === undefined ? undefined : parseTraceparent(headers);
  // Only the caller's ids and sampled flag are taken: `tracestate` and baggage are not carried on.
  const context = parent
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const span = tracer.startSpan(
    `${method} ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: path, [ATTR_HTTP_ROUTE]: path },
    },
    context,
  );
  const { traceId, spanId, traceFlags } = span.spanContext();
  // Not sampled: the ids go on, nothing is recorded (children of an unrecorded span are not recorded either).
  if (!span.isRecording()) return new RequestTrace(traceId, spanId, (traceFlags & TraceFlags.SAMPLED) === 1);
  return new RecordedTrace(tracer, span, method, providerType);
}

/** A request's spans: the server span, its steps, and the upstream call. */
class RecordedTrace extends RequestTrace {
  private readonly context: Context;
  private client: Span | undefined;
  private errorCode: string | undefined;
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly method: string,
    private readonly providerType: (providerId: string) => string | undefined,
  ) {
    const { traceId, spanId } = span.spanContext();
    super(traceId, spanId, true);
    this.context = trace.setSpan(ROOT_CONTEXT, span);
  }

  override step(name: string): TraceStep {
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL }, this.context);
    return {
      end(error?: unknown) {
        if (error !== undefined) {
          const code = error instanceof GatewayError ? error.code : "internal_error";
          span.setAttribute(ATTR_ERROR_TYPE, code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        }
        span.end();
      },
    };
  }

  override upstream(call: TracedCall): UpstreamCallTrace {
    // A fan-out (embeddings) makes one call with several sends: one client span covers them.
    if (this.client) return clientTrace(this.client);
    const operation = genAiOperation(call.route);
    const model = call.modelRef === undefined ? undefined : modelIdOf(call.modelRef);
    const attributes: Attributes = {
      ...(operation ? { [GEN_AI_OPERATION_NAME]: operation } : {}),
      ...(model ? { [GEN_AI_REQUEST_MODEL]: model } : {}),
      [GEN_AI_REQUEST_STREAM]: call.stream,
      ...this.providerAttributes(call.providerId),
    };
    const name = [operation ?? "call", model].filter(Boolean).join(" ");
    this.client = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, this.context);
    return clientTrace(this.client);
  }

  override routed(route: string): void {
    this.span.updateName(`${this.method} ${route}`);
    this.span.setAttribute(ATTR_HTTP_ROUTE, route);
  }

  override failed(code: string): void {
    this.errorCode = code;
  }

  override end(request: TracedEnd): void {
    if (this.ended) return;
    this.ended = true;
    const attributes: Attributes = {
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: request.status,
      ...this.providerAttributes(request.providerId),
      ...(request.requestId === undefined ? {} : { [TOLLGATE_REQUEST_ID]: request.requestId }),
      ...(request.actorId === undefined ? {} : { [TOLLGATE_ACTOR_ID]: request.actorId }),
      ...(request.modelRef === undefined
        ? {}
        : { [TOLLGATE_MODEL_REF]: request.modelRef, [GEN_AI_REQUEST_MODEL]: modelIdOf(request.modelRef) }),
      ...usageAttributes(request),
    };
    const code = request.errorCode ?? this.errorCode;
    if (code !== undefined) {
      attributes[ATTR_ERROR_TYPE] = code;
      attributes[TOLLGATE_ERROR_CODE] = code;
    }
    if (this.client) this.endClient(this.client, request, code);
    this.span.setAttributes(attributes);
    // A caller's error (4xx, a client gone) is not the server's failure (HTTP semantic conventions).
    if (request.status >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    this.span.end();
  }

  private endClient(client: Span, request: TracedEnd, code: string | undefined): void {
    client.setAttributes(usageAttributes(request));
    if (request.status >= 500 && code !== undefined) {
      client.setAttribute(ATTR_ERROR_TYPE, code);
      client.setStatus({ code: SpanStatusCode.ERROR, message: code });
    }
    // A whole answer's call ended when it was read; a stream's when the request ended.
    const done =
      request.upstreamDoneMs !== undefined && request.startedAt !== undefined
        ? request.startedAt + request.upstreamDoneMs
        : undefined;
    client.end(done);
  }

  private providerAttributes(providerId: string | undefined): Attributes {
    if (providerId === undefined) return {};
    const type = this.providerType(providerId);
    if (type === undefined) return { [TOLLGATE_PROVIDER_ID]: providerId };
    const name = genAiProviderName(type);
    return { [TOLLGATE_PROVIDER_ID]: providerId, [GEN_AI_PROVIDER_NAME]: name, [GEN_AI_SYSTEM]: name };
  }
}

function usageAttributes(request: TracedEnd): Attributes {
  const usage = request.usage;
  if (usage === undefined) return {};
  return {
    [GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
    [GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
  };
}

/** The client span's `traceparent`, and each attempt's endpoint and result recorded on it. */
function clientTrace(client: Span): UpstreamCallTrace {
  const { traceId, spanId } = client.spanContext();
  let attempts = 0;
  return {
    traceparent: formatTraceparent(traceId, spanId, true),
    attempted(origin, status, failure) {
      attempts++;
      const endpoint = new URL(origin);
      client.setAttributes({
        [ATTR_SERVER_ADDRESS]: endpoint.hostname,
        [ATTR_SERVER_PORT]: Number(endpoint.port || (endpoint.protocol === "https:" ? 443 : 80)),
        ...(attempts > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: attempts - 1 } : {}),
      });
      if (status !== undefined) client.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      client.addEvent("attempt", {
        [ATTR_SERVER_ADDRESS]: endpoint.host,
        ...(status === undefined ? {} : { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status }),
        ...(failure === undefined ? {} : { [ATTR_ERROR_TYPE]: failure }),
      });
    },
  };
}
