import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { GatewayError } from "../errors/index.js";
import { classifyTransportError, mapTransportFailure } from "./error-mapping.js";
import type { UpstreamAttempt, UpstreamResponse } from "./types.js";
import { UpstreamError } from "./upstream-error.js";

function ignore(): void {}

/** Destroys a body nobody may be listening to: undici emits an AbortError that would go unhandled. */
export function discard(stream: Readable): void {
  if (stream.destroyed) return;
  stream.on("error", ignore);
  stream.destroy();
}

export interface BodyContext {
  providerName: string;
  idleTimeoutMs: number;
  signal: AbortSignal | undefined;
  attempts: readonly UpstreamAttempt[];
}

/**
 * The upstream body as an async iterable of Buffers. The idle timeout is undici's bodyTimeout
 * (refreshed on every chunk, paused while the consumer applies backpressure); failures surface
 * as UpstreamError so the dialect encoder can end the client's stream with an error event.
 */
export class UpstreamBody implements AsyncIterable<Buffer>, AsyncIterator<Buffer> {
  private iterator: AsyncIterator<Buffer> | undefined;

  constructor(
    readonly stream: Readable,
    private readonly context: BodyContext,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    this.iterator ??= this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    return this.iterator.next().then(undefined, (error: unknown) => {
      throw this.toError(error);
    });
  }

  /** The consumer stopped early (break, or an error in its loop): release the socket. */
  return(): Promise<IteratorResult<Buffer>> {
    discard(this.stream);
    return Promise.resolve({ done: true, value: undefined });
  }

  toError(error: unknown): GatewayError {
    if (error instanceof GatewayError) return error;
    const { providerName, signal, idleTimeoutMs } = this.context;
    const kind = signal?.aborted ? "aborted" : classifyTransportError(error);
    const mapped = mapTransportFailure({ kind, providerName, timeoutMs: idleTimeoutMs, midStream: true });
    mapped.attempts = this.context.attempts;
    return mapped;
  }
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers["content-length"];
  return value === undefined ? undefined : Number(value);
}

/**
 * Reads a whole body, failing once it passes maxBytes. Collected from 'data' events rather than
 * through the async iterator: that adds a promise and an iterator result per chunk, and this
 * runs for every non-streaming answer.
 */
export function readAll(
  body: UpstreamBody,
  headers: IncomingHttpHeaders,
  maxBytes: number,
  providerName: string,
): Promise<Buffer> {
  const stream = body.stream;
  const tooLarge = () => {
    discard(stream);
    return new UpstreamError("upstream_error", `${providerName}'s answer is larger than ${maxBytes} bytes`);
  };
  const declared = contentLength(headers);
  if (declared !== undefined && declared > maxBytes) return Promise.reject(tooLarge());
  // Aborted or timed out while nobody was reading: 'close' has been emitted already.
  if (stream.destroyed) return Promise.reject(body.toError(stream.errored ?? new Error("premature close")));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        settle();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      settle();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (error: unknown) => {
      settle();
      reject(body.toError(error));
    };
    // Destroyed without an error (should not happen with undici, but a promise must never hang).
    const onClose = () => {
      settle();
      reject(body.toError(stream.errored ?? new Error("premature close")));
    };
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", onError);
    stream.once("close", onClose);
  });
}

/** The first maxBytes of an error body as text; the rest is discarded. Never throws. */
export async function readPrefix(stream: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= maxBytes) break;
    }
  } catch {
    // A broken error body still leaves the status to go by.
  }
  discard(stream);
  return Buffer.concat(chunks, total).subarray(0, maxBytes).toString("utf8");
}

export class UpstreamResponseImpl implements UpstreamResponse {
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly endpoint: string,
    readonly attempts: readonly UpstreamAttempt[],
    readonly body: UpstreamBody,
    private readonly providerName: string,
    private readonly maxResponseBytes: number,
  ) {}

  bytes(maxBytes = this.maxResponseBytes): Promise<Buffer> {
    return readAll(this.body, this.headers, maxBytes, this.providerName);
  }

  async text(maxBytes = this.maxResponseBytes): Promise<string> {
    return (await this.bytes(maxBytes)).toString("utf8");
  }

  async json<T = unknown>(maxBytes = this.maxResponseBytes): Promise<T> {
    const text = await this.text(maxBytes);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      const mapped = new UpstreamError(
        "upstream_error",
        `${this.providerName} answered with malformed JSON`,
        {
          cause: error,
        },
      );
      mapped.attempts = this.attempts;
      throw mapped;
    }
  }

  cancel(): void {
    discard(this.body.stream);
  }
}
