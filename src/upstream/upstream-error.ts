import { type ErrorCode, errorCatalogue, GatewayError, type GatewayErrorOptions } from "../errors/index.js";
import type { UpstreamAttempt } from "./types.js";

/**
 * A GatewayError raised by the upstream layer. It carries the attempts made (for logs) and may
 * keep an upstream 4xx status the catalogue has no code for (422, 409…): DESIGN §5 says upstream
 * errors that are the caller's fault keep their status and message.
 */
export class UpstreamError extends GatewayError {
  override readonly status: number;
  attempts: readonly UpstreamAttempt[] = [];

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions & { status?: number } = {}) {
    super(code, message, options);
    this.name = "UpstreamError";
    this.status = options.status ?? errorCatalogue[code].status;
  }
}
