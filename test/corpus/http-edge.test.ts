/**
 * What node:http refuses before any handler runs (issue 15: a 256 KiB header got Node's bare 431), over a raw
 * socket: an answer in the route's dialect as JSON, then the connection closed; never an empty hang.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CorpusGateway, corpusToken, startCorpusGateway } from "./corpus-gateway.js";

let g: CorpusGateway;
beforeAll(async () => {
  g = await startCorpusGateway();
}, 60_000);
afterAll(() => g?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/** Writes `request` as is and reads until the server closes (a deadline catches a hang). */
function raw(request: string | Buffer): Promise<RawAnswer> {
  const { port } = new URL(g.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    const chunks: Buffer[] = [];
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 20 s; got ${JSON.stringify(Buffer.concat(chunks).toString())}`));
    }, 20_000);
    socket.on("data", (chunk) => chunks.push(chunk));
    // The server may close while we still write a large header: what it answered is what counts.
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(deadline);
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", body = ""] = text.split("\r\n\r\n", 2);
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(":")).toLowerCase(),
          line.slice(line.indexOf(":") + 1).trim(),
        ]),
      );
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = body;
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: parsed, closed: true });
    });
    socket.write(request);
  });
}

const bigHeader = `x-padding: ${"a".repeat(256 * 1024)}\r\n`;

function request(method: string, path: string, extraHeaders = ""): string {
  return `${method} ${path} HTTP/1.1\r\nhost: gateway\r\nauthorization: Bearer ${corpusToken}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n${extraHeaders}\r\n{}`;
}

describe("requests node:http refuses before routing", () => {
  it("answers a 256 KiB header on an Anthropic route with 431 in Anthropic's shape and closes", async () => {
    const answer = await raw(request("POST", "/v1/messages", bigHeader));
    expect(answer.status).toBe(431);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.headers.connection).toBe("close");
    expect(answer.body).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: expect.stringMatching(/headers are larger than the limit of \d+ bytes/),
      },
    });
  });

  it("answers it in OpenAI's shape elsewhere, and in Anthropic's on /v1/models with anthropic-version", async () => {
    const openai = await raw(request("POST", "/v1/chat/completions?x=1", bigHeader));
    expect(openai.status).toBe(431);
    expect(openai.body).toEqual({
      error: {
        type: "invalid_request_error",
        code: "headers_too_large",
        param: null,
        message: expect.stringMatching(/headers are larger than the limit/),
      },
    });
    const models = await raw(request("GET", "/v1/models", `anthropic-version: 2023-06-01\r\n${bigHeader}`));
    expect(models.status).toBe(431);
    expect(models.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it.each([
    ["a request line that is not HTTP", "HELLO THERE\r\n\r\n"],
    ["a header name with a space", "POST /v1/messages HTTP/1.1\r\nhost: g\r\nbad header: x\r\n\r\n"],
    [
      "a content-length that is not a number",
      "POST /v1/chat/completions HTTP/1.1\r\nhost: g\r\ncontent-length: ten\r\n\r\n",
    ],
  ])("answers %s with a 400 as JSON and closes", async (_name, text) => {
    const answer = await raw(text);
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.stringify(answer.body)).toMatch(/not valid HTTP\/1\.1/);
  });

  it("still serves the next connection", async () => {
    const response = await fetch(`${g.url}/healthz`);
    expect(response.status).toBe(200);
  });
});
