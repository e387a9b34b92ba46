/**
 * The HTTP edge of the client API routes (src/server/lane/), over a real socket: what a client that is
 * not an official SDK can send (no token, wrong media type, broken or oversized JSON, query strings,
 * trailing slashes) and what it gets back: errors in the route's dialect, request ids, the access log.
 */
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayToken, type Harness, startHarness } from "./gateway-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const chatBody = JSON.stringify({ model: "openai::v1::text", messages: [{ role: "user", content: "hi" }] });
const auth = { authorization: `Bearer ${gatewayToken}` };

async function post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.url}${path}`, { method: "POST", headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function accessLines(): Array<Record<string, unknown>> {
  return h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === "request");
}

describe("client API routes over HTTP", () => {
  it("answers a missing token with 401 in the route's dialect, before reading the body", async () => {
    const openai = await post("/v1/chat/completions", chatBody, { "content-type": "application/json" });
    expect(openai.status).toBe(401);
    expect(JSON.parse(openai.text).error).toMatchObject({
      type: "authentication_error",
      code: "unauthenticated",
    });
    expect(openai.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const anthropic = await post("/v1/messages", "{", { "content-type": "application/json" });
    expect(anthropic.status).toBe(401);
    expect(JSON.parse(anthropic.text)).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
  });

  it("refuses a body that is not JSON with 415 and names the media type", async () => {
    const response = await post("/v1/chat/completions", "model=x", {
      ...auth,
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response.status).toBe(415);
    expect(JSON.parse(response.text).error.message).toMatch(/must be JSON.*x-www-form-urlencoded/);
  });

  it("refuses broken and empty JSON with 400 and says what is wrong", async () => {
    const broken = await post("/v1/chat/completions", '{"model": ', {
      ...auth,
      "content-type": "application/json",
    });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text).error).toMatchObject({ code: "invalid_request" });
    expect(JSON.parse(broken.text).error.message).toMatch(/^request body is not valid JSON/);

    const empty = await post("/v1/messages", "", { ...auth, "content-type": "application/json" });
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text).error.message).toMatch(/request body is empty/);

    const array = await post("/v1/chat/completions", "[1]", { ...auth, "content-type": "application/json" });
    expect(array.status).toBe(400);
    expect(JSON.parse(array.text).error.message).toMatch(/must be a JSON object/);
  });

  it("refuses a declared body over the limit with 413 at once and closes the connection", async () => {
    const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const url = new URL(`${h.url}/v1/chat/completions`);
        const request = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            headers: {
              ...auth,
              "content-type": "application/json",
              "content-length": String(64 * 1024 * 1024),
            },
          },
          (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => {
              body += chunk;
            });
            response.on("end", () =>
              resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, body }),
            );
          },
        );
        request.on("error", reject);
        // Only the start of the body is sent: the answer must not wait for the rest.
        request.write("{");
      },
    );
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe("close");
    expect(JSON.parse(answer.body).error.message).toMatch(/larger than the limit of \d+ bytes/);
  });

  it("serves the routes with a query string, a trailing slash, and with a plain or no content type", async () => {
    for (const path of ["/v1/chat/completions?api-version=2024-10-21", "/v1/chat/completions/"]) {
      const response = await post(path, chatBody, { ...auth, "content-type": "application/json" });
      expect(response.status, path).toBe(200);
      expect(JSON.parse(response.text).object).toBe("chat.completion");
    }
    // fetch sends a string as text/plain, and bytes with no content type at all.
    expect((await post("/v1/chat/completions", chatBody, auth)).status).toBe(200);
    expect((await post("/v1/chat/completions", new TextEncoder().encode(chatBody), auth)).status).toBe(200);
  });

  it("keeps a caller's sane x-request-id and replaces an unsafe one", async () => {
    const kept = await post("/v1/chat/completions", chatBody, { ...auth, "x-request-id": "trace-42.a:b" });
    expect(kept.headers.get("x-request-id")).toBe("trace-42.a:b");
    const replaced = await post("/v1/chat/completions", chatBody, { ...auth, "x-request-id": "bad id {}" });
    // Replaced by a generated UUID (testing for "bad" in it failed whenever the UUID's hex happened to hold it).
    expect(replaced.headers.get("x-request-id")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it("leaves other methods on these paths to the router: 404 in the dialect", async () => {
    const response = await fetch(`${h.url}/v1/messages`, { headers: auth });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("writes one access-log line per request with its id, status and actor", async () => {
    const response = await post("/v1/chat/completions", chatBody, {
      ...auth,
      "x-request-id": "log-line-check",
    });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = accessLines().filter((line) => line.requestId === "log-line-check");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      actor: "admin",
    });
    expect(typeof lines[0]?.ms).toBe("number");
  });

  it("shrugs off a client that goes away halfway through its body: no answer, no error, next request served", async () => {
    const url = new URL(h.url);
    const errorsBefore = h.logs.filter((line) => line.includes('"level":"error"')).length;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gatewayToken}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on("error", reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post("/v1/chat/completions", chatBody, auth)).status).toBe(200);
    expect(h.logs.filter((line) => line.includes('"level":"error"')).length).toBe(errorsBefore);
  });
});
