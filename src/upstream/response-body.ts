import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { GatewayError } from "../server/errors.js";
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

/** Reads a whole body, failing once it passes maxBytes. */
export async function readAll(
  body: UpstreamBody,
  headers: IncomingHttpHeaders,
  maxBytes: number,
  providerName: string,
): Promise<Buffer> {
  const tooLarge = () => {
    discard(body.stream);
    return new UpstreamError("upstream_error", `${providerName}'s answer is larger than ${maxBytes} bytes`);
  };
  const declared = contentLength(headers);
  if (declared !== undefined && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
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
