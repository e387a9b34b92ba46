/**
 * Requests node:http refuses before any handler sees them (headers over its size limit, a broken request
 * line): answered in the route's dialect like every other error, instead of Node's bare status line, then the
 * connection is closed. The path comes from the request line in the bytes Node kept (`rawPacket`).
 */
import { randomUUID } from "node:crypto";
import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { type ErrorCode, errorBody } from "../errors/index.js";
import { dialectOfPath } from "./dialect.js";

/** Node's parser error; `rawPacket` is a Buffer at run time (Fastify's types say otherwise). */
interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/** How much of the received bytes is searched for the request line and `anthropic-version`. */
const headSearched = 65_536;

/** The request's path and whether it carries `anthropic-version`, as far as the bytes received tell. */
function requestOf(rawPacket: unknown): { path: string; anthropicVersion: boolean } {
  if (!Buffer.isBuffer(rawPacket)) return { path: "/", anthropicVersion: false };
  const head = rawPacket.toString("latin1", 0, Math.min(rawPacket.length, headSearched));
  const line = /^[A-Z]+ (\/\S*) HTTP\/1\.[01]\r?\n/.exec(head);
  return { path: line?.[1] ?? "/", anthropicVersion: /\r?\nanthropic-version:/i.test(head) };
}

function answer(socket: Socket, status: number, code: ErrorCode, message: string, rawPacket: unknown): void {
  const { path, anthropicVersion } = requestOf(rawPacket);
  const body = JSON.stringify(errorBody(dialectOfPath(path, anthropicVersion), { code, message }));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      "content-type: application/json; charset=utf-8\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${randomUUID()}\r\n` +
      "connection: close\r\n\r\n" +
      body,
  );
}

/** The server's `clientError` listener (it replaces Node's default answer). */
export function answerClientError(error: ClientError, socket: Socket): void {
  // Gone, or an answer already under way on this connection: nothing can be written.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  if (error.code === "HPE_HEADER_OVERFLOW") {
    answer(
      socket,
      431,
      "headers_too_large",
      `request headers are larger than the limit of ${maxHeaderSize} bytes`,
      error.rawPacket,
    );
    return;
  }
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    answer(
      socket,
      408,
      "request_timeout",
      "the request's headers did not arrive in time; send the whole request without pausing",
      error.rawPacket,
    );
    return;
  }
  answer(
    socket,
    400,
    "invalid_request",
    `the request is not valid HTTP/1.1 (${error.code ?? "parse error"})`,
    error.rawPacket,
  );
}
