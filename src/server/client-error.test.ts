import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answerClientError } from "./client-error.js";

/** A real connection: the server's end is handed to answerClientError, the client's end reads the answer. */
async function connection(): Promise<{ server: Socket; client: Socket; close(): void }> {
  const listener = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const accepted = once(listener, "connection");
  const client = connect((listener.address() as AddressInfo).port, "127.0.0.1");
  const [server] = (await accepted) as [Socket];
  return { server, client, close: () => listener.close() };
}

async function answerTo(error: Error & { code?: string; rawPacket?: unknown }): Promise<string> {
  const { server, client, close } = await connection();
  cleanup.push(close);
  let text = "";
  client.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
  });
  answerClientError(error, server);
  await once(client, "end");
  return text;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

describe("answerClientError", () => {
  it("answers a request whose headers took too long with a 408 in the route's dialect, then closes", async () => {
    const error = Object.assign(new Error("timeout"), {
      code: "ERR_HTTP_REQUEST_TIMEOUT",
      rawPacket: Buffer.from("POST /v1/messages HTTP/1.1\r\nanthropic-version: 2023-06-01\r\nx-api"),
    });
    const text = await answerTo(error);
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(text).toContain("connection: close");
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
    expect(body).toMatchObject({
      type: "error",
      error: { type: expect.any(String), message: expect.stringMatching(/did not arrive in time/) },
    });
  });

  it("answers an OpenAI route's timeout in OpenAI's shape with the catalogue code", async () => {
    const error = Object.assign(new Error("timeout"), {
      code: "ERR_HTTP_REQUEST_TIMEOUT",
      rawPacket: Buffer.from("POST /v1/chat/completions HTTP/1.1\r\nauthoriz"),
    });
    const text = await answerTo(error);
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
    expect(body).toMatchObject({ error: { code: "request_timeout" } });
  });
});
