import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { GatewayError } from "../errors/index.js";
import { classifyTransportError, mapTransportFailure } from "./error-mapping.js";
import type { UpstreamAttempt, UpstreamResponse } from "./types.js";
import { UpstreamError } from "./upstream-error.js";

export interface BodyContext {
  providerName: string;
  idleTimeoutMs: number;
  signal: AbortSignal | undefined;
  attempts: readonly UpstreamAttempt[];
}

/** Bytes held for a consumer that has not read them yet; past it the socket is paused (undici's own default). */
const HIGH_WATER_BYTES = 64 * 1024;

/** Why a body nobody reads any more is cut; shared, so that giving up on one costs no stack trace. */
const DISCARDED = Object.freeze(new Error("the gateway stopped reading the upstream body"));

const noContext: BodyContext = {
  providerName: "upstream",
  idleTimeoutMs: 0,
  signal: undefined,
  attempts: [],
};

type Waiter = { resolve: (result: IteratorResult<Buffer>) => void; reject: (error: unknown) => void };
type Collector = {
  chunks: Buffer[];
  total: number;
  maxBytes: number;
  /** Past maxBytes: fail (a whole answer) or keep what came and stop (an error body's prefix). */
  truncate: boolean;
  resolve: (bytes: Buffer) => void;
  reject: (error: unknown) => void;
};

/**
 * One upstream call on undici's dispatch API: the handler undici calls (status and headers, then the body's
 * chunks) and the body its consumer reads, in one object. `Pool.request` wraps every answer in a Readable (with
 * its event emitter, buffer list and async iterator): the bench's bare proxy, changed this way, used 95–116
 * instead of 115–159 µs of CPU per request. Here a whole answer is collected straight into an array and a stream
 * is handed over chunk by chunk.
 *
 * Backpressure: past 64 KiB unread the socket is paused (undici then stops the idle timeout too) and resumed
 * once the consumer has taken what was held. Failures surface as UpstreamError, so the dialect encoder can end
 * the client's stream with an error event.
 */
export class UpstreamBody
  implements Dispatcher.DispatchHandler, AsyncIterable<Buffer>, AsyncIterator<Buffer>
{
  status = 0;
  headers: IncomingHttpHeaders = {};
  /** Settles when the answer's head has come (or the call failed before it). */
  readonly started: Promise<void>;
  private context: BodyContext = noContext;
  private startResolve!: () => void;
  private startReject!: (error: unknown) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private aborted = false;
  /** How the consumer reads: chunk by chunk, or all at once (readAll, prefix); one way, once. */
  private reading: "chunks" | "whole" | undefined;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private finished = false;
  private failure: unknown;
  private waiter: Waiter | undefined;
  private collector: Collector | undefined;
  private onAbort: (() => void) | undefined;

  constructor(
    private readonly signal: AbortSignal | undefined,
    /** Runs once when the call is over however it ended: answered, failed, or given up by its consumer. */
    private released: (() => void) | undefined,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.startResolve = resolve;
      this.startReject = reject;
    });
    if (signal?.aborted) this.abort(signal.reason as Error);
    else if (signal) {
      const onAbort = () => this.abort(signal.reason as Error);
      this.onAbort = onAbort;
      signal.addEventListener("abort", onAbort, { once: true });
    }
  }

  /** What the errors of the body name (provider, idle timeout, the attempts made); known once it answered. */
  describe(context: BodyContext): void {
    this.context = context;
  }

  // undici's side.

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.aborted) controller.abort(this.abortReason as Error);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    // An informational answer (1xx) comes before the real one.
    if (status < 200) return;
    this.status = status;
    this.headers = headers;
    this.startResolve();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const collector = this.collector;
    if (collector) {
      this.collect(collector, chunk);
      return;
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ done: false, value: chunk });
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER_BYTES) controller.pause();
  }

  onResponseEnd(): void {
    this.finished = true;
    this.release();
    const collector = this.collector;
    if (collector) {
      this.collector = undefined;
      collector.resolve(
        collector.chunks.length === 1
          ? collector.chunks[0]!
          : Buffer.concat(collector.chunks, collector.total),
      );
      return;
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ done: true, value: undefined });
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.failure = error;
    this.release();
    this.startReject(error);
    const collector = this.collector;
    if (collector) {
      this.collector = undefined;
      if (collector.truncate) collector.resolve(Buffer.concat(collector.chunks, collector.total));
      else collector.reject(this.toError(error));
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.reject(this.toError(error));
    }
  }

  // The consumer's side.

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.reading === "whole") return Promise.reject(alreadyRead());
    this.reading = "chunks";
    const queue = this.queue;
    if (queue.length > 0) {
      const value = queue.shift()!;
      this.queuedBytes -= value.length;
      if (queue.length === 0 && this.controller?.paused) this.controller.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.failure !== undefined) return Promise.reject(this.toError(this.failure));
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The consumer stopped early (break, or an error in its loop): the connection is cut and released. */
  return(): Promise<IteratorResult<Buffer>> {
    this.discard();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** The whole body, failing once it passes maxBytes. */
  readAll(maxBytes: number): Promise<Buffer> {
    const declared = contentLength(this.headers);
    if (declared !== undefined && declared > maxBytes) return Promise.reject(this.tooLarge(maxBytes));
    return this.collectAll(maxBytes, false);
  }

  /** The first maxBytes of the body (an error's text); the rest is discarded. Never rejects. */
  async prefix(maxBytes: number): Promise<Buffer> {
    const bytes = await this.collectAll(maxBytes, true).catch(() => Buffer.alloc(0));
    this.discard();
    return bytes.subarray(0, maxBytes);
  }

  /** Gives the body up: the upstream connection is closed if it had more to send. */
  discard(): void {
    this.queue = [];
    this.queuedBytes = 0;
    if (this.finished || this.failure !== undefined) return;
    this.failure = DISCARDED;
    this.abort(DISCARDED);
  }

  toError(error: unknown): GatewayError {
    if (error instanceof GatewayError) return error;
    const { providerName, idleTimeoutMs, attempts } = this.context;
    const kind = this.signal?.aborted ? "aborted" : classifyTransportError(error);
    const mapped = mapTransportFailure({ kind, providerName, timeoutMs: idleTimeoutMs, midStream: true });
    mapped.attempts = attempts;
    return mapped;
  }

  private abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else {
      // undici has not started the request yet (it waits for a connection): it is aborted once it does.
      this.aborted = true;
      this.abortReason = reason;
    }
  }

  private collectAll(maxBytes: number, truncate: boolean): Promise<Buffer> {
    // A second reader would take chunks from the first, and one of them would wait for ever.
    if (this.reading !== undefined) return Promise.reject(alreadyRead());
    this.reading = "whole";
    return new Promise<Buffer>((resolve, reject) => {
      const collector: Collector = { chunks: [], total: 0, maxBytes, truncate, resolve, reject };
      for (const chunk of this.queue) if (!this.collect(collector, chunk)) return;
      this.queue = [];
      this.queuedBytes = 0;
      if (this.failure !== undefined) {
        if (truncate) resolve(Buffer.concat(collector.chunks, collector.total));
        else reject(this.toError(this.failure));
        return;
      }
      if (this.finished) {
        resolve(
          collector.chunks.length === 1
            ? collector.chunks[0]!
            : Buffer.concat(collector.chunks, collector.total),
        );
        return;
      }
      this.collector = collector;
      if (this.controller?.paused) this.controller.resume();
    });
  }

  /** Adds a chunk; false once the collector is settled: a whole body past its size, or a prefix complete. */
  private collect(collector: Collector, chunk: Buffer): boolean {
    collector.total += chunk.length;
    collector.chunks.push(chunk);
    if (collector.truncate ? collector.total < collector.maxBytes : collector.total <= collector.maxBytes)
      return true;
    this.collector = undefined;
    if (collector.truncate) collector.resolve(Buffer.concat(collector.chunks, collector.total));
    else {
      this.discard();
      collector.reject(this.tooLarge(collector.maxBytes));
    }
    return false;
  }

  private tooLarge(maxBytes: number): UpstreamError {
    this.discard();
    return new UpstreamError(
      "upstream_error",
      `${this.context.providerName}'s answer is larger than ${maxBytes} bytes`,
    );
  }

  private release(): void {
    if (this.onAbort) {
      this.signal?.removeEventListener("abort", this.onAbort);
      this.onAbort = undefined;
    }
    const released = this.released;
    if (released) {
      this.released = undefined;
      released();
    }
  }
}

function alreadyRead(): Error {
  return new Error("the upstream body is already being read");
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers["content-length"];
  return value === undefined ? undefined : Number(value);
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
    return this.body.readAll(maxBytes);
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
    this.body.discard();
  }
}
