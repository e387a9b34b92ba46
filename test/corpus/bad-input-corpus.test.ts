/**
 * The bad-input corpus (issue 15) against a real gateway: every case is answered with its 4xx, in the route's
 * dialect, with a message naming the problem; never a 500, a crash or a hang (each request has a deadline);
 * nothing reaches the upstream. The caller may run one request at a time under a token quota: after the
 * corpus, a valid request on every route still succeeds and no slot or token reservation is left held.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CorpusCase, corpus, routes } from "./bad-input-cases.js";
import { type CorpusGateway, corpusToken, quota, startCorpusGateway } from "./corpus-gateway.js";

/** Generous: the machine may be busy; a hang is what it catches, not slowness. */
const requestDeadlineMs = 20_000;

let g: CorpusGateway;
beforeAll(async () => {
  g = await startCorpusGateway();
}, 60_000);
afterAll(() => g?.close());

async function send(testCase: CorpusCase): Promise<{ status: number; body: unknown; text: string }> {
  const method = testCase.method ?? "POST";
  const headers: Record<string, string> = { authorization: `Bearer ${corpusToken}`, ...testCase.headers };
  if (method === "POST") headers["content-type"] = testCase.contentType ?? "application/json";
  const response = await fetch(`${g.url}${testCase.path ?? testCase.route.path}`, {
    method,
    headers,
    ...(testCase.body === undefined ? {} : { body: testCase.body }),
    signal: AbortSignal.timeout(requestDeadlineMs),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/** The error's message, after checking the body has the dialect's shape (DESIGN §5). */
function dialectMessage(dialect: "openai" | "anthropic", body: unknown): string {
  if (dialect === "anthropic") {
    expect(body).toMatchObject({
      type: "error",
      error: { type: expect.any(String), message: expect.any(String) },
    });
    return (body as { error: { message: string } }).error.message;
  }
  expect(body).toMatchObject({
    error: { message: expect.any(String), type: expect.any(String), code: expect.any(String) },
  });
  return (body as { error: { message: string } }).error.message;
}

describe("the bad-input corpus", () => {
  it("has cases for every client route", () => {
    const covered = new Set(corpus.map((testCase) => testCase.route.path));
    for (const route of Object.values(routes)) expect(covered).toContain(route.path);
    expect(corpus.length).toBeGreaterThan(250);
  });

  it.each(corpus.map((testCase) => [`${testCase.route.name}: ${testCase.name}`, testCase] as const))(
    "%s",
    async (_name, testCase) => {
      const upstreamBefore = g.mock.requests.length;
      const answer = await send(testCase);
      const message = dialectMessage(testCase.route.dialect, answer.body);
      expect({ status: answer.status, message }).toMatchObject({ status: testCase.status });
      expect(message).toMatch(testCase.message);
      expect(g.mock.requests.length).toBe(upstreamBefore);
    },
    30_000,
  );

  it("leaves no slot or reservation held: the limits show nothing in use, then a valid request on every route succeeds", async () => {
    const limits = await fetch(`${g.url}/v1/limits`, { headers: { authorization: `Bearer ${corpusToken}` } });
    expect(limits.status).toBe(200);
    const view = (await limits.json()) as Record<
      string,
      { tokens: { usage: number; limit: number }; concurrent: { limit: number; inUse: number } }
    >;
    for (const feature of ["chat", "codeCompletion", "embeddings"]) {
      expect(view[feature]?.concurrent).toEqual({ limit: quota.concurrent, inUse: 0 });
      // Nothing of the corpus was admitted, so nothing was reserved or counted.
      expect(view[feature]?.tokens.usage).toBe(0);
    }
    for (const route of Object.values(routes)) {
      const response = await fetch(`${g.url}${route.path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${corpusToken}`, "content-type": "application/json" },
        body: JSON.stringify(route.valid),
        signal: AbortSignal.timeout(requestDeadlineMs),
      });
      expect({ route: route.path, status: response.status }).toEqual({ route: route.path, status: 200 });
      await response.arrayBuffer();
    }
    const after = (await (
      await fetch(`${g.url}/v1/limits`, { headers: { authorization: `Bearer ${corpusToken}` } })
    ).json()) as typeof view;
    for (const feature of ["chat", "codeCompletion", "embeddings"])
      expect(after[feature]?.concurrent.inUse).toBe(0);
  }, 60_000);

  it("logged no unhandled error", () => {
    expect(g.logs.filter((line) => line.includes('"unhandled error"'))).toEqual([]);
  });
});
