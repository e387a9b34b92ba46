import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, within } from "../auth/redis.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import {
  chatChunk,
  chatCompletion,
  chatStreamEnd,
  localModel,
  onJsonBody,
} from "../support/openai-answers.js";
import { type ServeProcess, startServeProcess } from "./serve-process.js";

/**
 * Issue 18, all cores of one machine: `tollgate serve --workers 2` from dist, on Postgres (a schema of its own)
 * and Redis (a key prefix of its own). Which process answered is read from the access log's `worker` field and
 * each worker's `worker listening` line (its pid).
 */

const adminToken = `tg_admin_${randomBytes(12).toString("hex")}`;
const limitedToken = `tg_limited_${randomBytes(12).toString("hex")}`;
const concurrencyLimit = 3;
const SLOW_PARTS = 5;
const SLOW_PART_MS = 400;

/** An OpenAI upstream: `fast` answers at once, `slow` streams, `hold` never answers (counted while in flight). */
function mockUpstream() {
  let holding = 0;
  let maxHolding = 0;
  const server: Server = createServer((incoming, response) => {
    onJsonBody(incoming, (body) => {
      if (body.model === "hold") {
        holding++;
        maxHolding = Math.max(maxHolding, holding);
        response.once("close", () => holding--);
        return;
      }
      const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
      if (!body.stream) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(chatCompletion(body.model, usage));
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream" });
      const record = (delta: object, finish: string | null) => chatChunk(body.model, delta, finish);
      let sent = 0;
      const next = () => {
        if (response.destroyed) return;
        if (sent < SLOW_PARTS) {
          response.write(record({ content: `part ${sent} ` }, null));
          sent++;
          setTimeout(next, SLOW_PART_MS);
          return;
        }
        response.write(record({}, "stop"));
        response.end(chatStreamEnd(usage));
      };
      next();
    });
  });
  return { server, holding: () => holding, maxHolding: () => maxHolding };
}

function config(upstreamUrl: string, storageUrl: string, redisPrefix: string): string {
  return JSON.stringify({
    storage: { url: storageUrl },
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: redisPrefix },
    usage: { flushInterval: "200ms" },
    server: { shutdownTimeout: "20s" },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "local",
          serverSideConfig: { type: "openaicompatible", endpoints: [{ url: upstreamUrl }] },
        },
      ],
      modelOverrides: [localModel("fast"), localModel("slow"), localModel("hold")],
      defaultModels: { chat: "local::v1::fast", fastChat: "local::v1::fast", codeCompletion: "" },
    },
    actors: [
      {
        id: "limited",
        name: "Limited",
        tokens: [`$\{LIMITED_TOKEN}`],
        limits: { chat: { concurrent: concurrencyLimit } },
      },
    ],
  });
}

interface Sent {
  /** Status and whole body; status 0 when the connection failed or was aborted (`error` says how). */
  done: Promise<{ status: number; body: string; error?: string }>;
  /** Resolves with the status once the response's headers arrived. */
  headers: Promise<number>;
  abort(): void;
}

/** A chat completion on a connection of its own (`agent: false`), so that the primary hands each to a worker. */
function chat(base: string, model: string, options: { stream?: boolean } = {}): Sent {
  const body = JSON.stringify({
    model: `local::v1::${model}`,
    max_tokens: 10,
    stream: options.stream ?? false,
    messages: [{ role: "user", content: "hi" }],
  });
  let resolveHeaders: (status: number) => void = () => {};
  const headers = new Promise<number>((resolve) => {
    resolveHeaders = resolve;
  });
  const outgoing = request(`${base}/v1/chat/completions`, {
    method: "POST",
    agent: false,
    headers: { authorization: `Bearer ${limitedToken}`, "content-type": "application/json" },
  });
  const done = new Promise<{ status: number; body: string; error?: string }>((resolve) => {
    outgoing.on("response", (response) => {
      resolveHeaders(response.statusCode ?? 0);
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.on("error", (error) => resolve({ status: 0, body: text, error: error.message }));
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      resolveHeaders(0);
      resolve({ status: 0, body: "", error: error.code ?? error.message });
    });
  });
  outgoing.end(body);
  return { done, headers, abort: () => outgoing.destroy() };
}

type LogLine = Record<string, unknown> & { msg?: string };

function logLines(serve: ServeProcess): LogLine[] {
  return serve
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Access lines of the proxied requests for `model`. */
function accessLines(serve: ServeProcess, model: string): LogLine[] {
  return logLines(serve).filter((line) => line.msg === "request" && line.model === `local::v1::${model}`);
}

/** Each worker's pid, from its `worker listening` line. */
function workerPids(serve: ServeProcess): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of logLines(serve)) {
    if (line.msg === "worker listening") pids.set(line.worker as number, line.pid as number);
  }
  return pids;
}

/** `/metrics` on a connection of its own (whichever worker takes it), and how long it took. */
async function scrapeMetrics(base: string): Promise<{ text: string; milliseconds: number }> {
  const started = Date.now();
  const response = await fetch(`${base}/metrics`, { headers: { connection: "close" } });
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, milliseconds: Date.now() - started };
}

/** `tollgate_requests_total` of the model `fast`, over every label set. */
function fastRequests(text: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith("tollgate_requests_total{") && line.includes('model="local::v1::fast"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("tollgate serve --workers 2 (processes)", () => {
  const upstream = mockUpstream();
  const redis = testRedis();
  const schema = randomSchemaName();
  let dir: string;
  let file: string;
  let serve: ServeProcess;

  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.server.listen(0, "127.0.0.1", resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/v1`;
    dir = await mkdtemp(join(tmpdir(), "tollgate-serve-workers-"));
    file = join(dir, "tollgate.jsonc");
    await writeFile(file, config(upstreamUrl, withSchema(await postgresUrl(), schema), redis.keyPrefix));
    serve = await startServeProcess({
      cwd: dir,
      env: { TOLLGATE_ADMIN_TOKEN: adminToken, LIMITED_TOKEN: limitedToken },
      args: ["--config", file, "--workers", "2", "--log-format", "json"],
      // The primary's line, once both workers listen.
      ready: {
        stream: "stdout",
        pattern: /"url":"(http:\/\/[^"]+)"[^\n]*"workers":2,"msg":"tollgate listening"/,
      },
    });
  }, 60_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill("SIGKILL");
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
    await redis.cleanup();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("announces once, and serves from two worker processes other than the primary", async () => {
    const announcements = logLines(serve).filter((line) => line.msg === "tollgate listening");
    expect(announcements).toHaveLength(1);
    expect(announcements[0]).not.toHaveProperty("worker");

    const results = [];
    for (let index = 0; index < 10; index++) results.push(await chat(serve.url, "fast").done);
    expect(results.map((result) => result.status)).toEqual(Array(10).fill(200));
    await within(5_000, () => accessLines(serve, "fast").length === 10);
    const workers = new Set(accessLines(serve, "fast").map((line) => line.worker as number));
    expect(workers.size).toBe(2);
    const pids = [...workers].map((worker) => workerPids(serve).get(worker));
    expect(new Set(pids).size).toBe(2);
    for (const pid of pids) {
      expect(pid).toEqual(expect.any(Number));
      expect(pid).not.toBe(serve.child.pid);
    }
  });

  it("/metrics on any worker shows every worker's metrics summed (a scrape reaches one worker)", async () => {
    const scrape = async () => (await scrapeMetrics(serve.url)).text;
    // The previous test sent 10 through both workers; every scrape, whichever worker takes it, counts all 10.
    const texts = await Promise.all(Array.from({ length: 6 }, scrape));
    expect(texts.map(fastRequests)).toEqual(Array(6).fill(10));
    for (const text of texts) {
      // Summed over two workers, `up` would read 2; it is the minimum.
      expect(text).toMatch(/^tollgate_dependency_up\{dependency="store"\} 1$/m);
    }
  });

  it("admits exactly C of M concurrent requests across both workers (limits in Redis)", async () => {
    const requests = 12;
    const sent = Array.from({ length: requests }, () => chat(serve.url, "hold"));
    // The admitted ones wait at the upstream; every other one is refused at once.
    await within(5_000, () => upstream.holding() === concurrencyLimit);
    const statuses = await Promise.all(
      sent.map((one) => Promise.race([one.headers, sleep(1_000).then(() => "held")])),
    );
    expect(statuses.filter((status) => status === 429)).toHaveLength(requests - concurrencyLimit);
    expect(statuses.filter((status) => status === "held")).toHaveLength(concurrencyLimit);
    expect(upstream.maxHolding()).toBe(concurrencyLimit);

    for (const one of sent) one.abort();
    await within(5_000, () => upstream.holding() === 0);
    // Both workers took part: each counting alone would have admitted up to C of its own.
    await within(5_000, () => accessLines(serve, "hold").length === requests);
    const byWorker = new Map<number, number>();
    for (const line of accessLines(serve, "hold")) {
      byWorker.set(line.worker as number, (byWorker.get(line.worker as number) ?? 0) + 1);
    }
    expect(byWorker.size).toBe(2);
    expect(accessLines(serve, "hold").filter((line) => line.status !== 429)).toHaveLength(concurrencyLimit);
  });

  it("replaces a worker killed with SIGKILL, and requests keep succeeding", async () => {
    const [victimWorker, victimPid] = [...workerPids(serve)][0]!;
    process.kill(victimPid, "SIGKILL");
    await within(5_000, () =>
      logLines(serve).some(
        (line) =>
          line.msg === "worker exited unexpectedly; starting a replacement" &&
          line.pid === victimPid &&
          line.signal === "SIGKILL",
      ),
    );
    // The primary noticed: every new connection goes to a live worker.
    const during = [];
    for (let index = 0; index < 6; index++) during.push(await chat(serve.url, "fast").done);
    expect(during.map((result) => result.status)).toEqual(Array(6).fill(200));

    await within(10_000, () => [...workerPids(serve).keys()].some((worker) => worker > 2));
    const replacement = Math.max(...workerPids(serve).keys());
    expect(replacement).not.toBe(victimWorker);
    expect(workerPids(serve).get(replacement)).not.toBe(victimPid);
    // The replacement serves too.
    await within(10_000, async () => {
      expect((await chat(serve.url, "fast").done).status).toBe(200);
      return accessLines(serve, "fast").some((line) => line.worker === replacement);
    });
  });

  it("a replacement that cannot start (its config made invalid since) exits and is retried; SIGHUP and /metrics do not wait for it", async () => {
    // Every worker listening answers: the count covers the worker killed in the previous test too (access
    // lines reach standard output within 250 ms).
    const before = await scrapeMetrics(serve.url);
    await within(5_000, () => accessLines(serve, "fast").length === fastRequests(before.text));

    const valid = await readFile(file, "utf8");
    await writeFile(file, JSON.stringify({ storage: 5 }));
    const [victimWorker, victimPid] = [...workerPids(serve)].sort(([a], [b]) => b - a)[0]!;
    process.kill(victimPid, "SIGKILL");
    await within(5_000, () =>
      logLines(serve).some((line) => line.pid === victimPid && line.signal === "SIGKILL"),
    );
    // The replacement is starting: a reload must not kill it.
    await within(5_000, () =>
      logLines(serve).some((line) => line.msg === "worker started" && (line.worker as number) > victimWorker),
    );
    serve.child.kill("SIGHUP");
    // It reads the invalid file, says why and exits, instead of hanging on its channel to the primary.
    await within(20_000, () =>
      logLines(serve).some(
        (line) =>
          line.msg === "worker exited before it listened; starting a replacement" &&
          line.code === 1 &&
          (line.worker as number) > victimWorker,
      ),
    );
    expect(serve.stderr()).toContain("the configuration in");
    expect(logLines(serve).filter((line) => line.signal === "SIGHUP")).toEqual([]);
    // The one worker listening answers at once, instead of waiting 2 s for one still starting; the killed
    // worker's requests stay counted.
    const after = await scrapeMetrics(serve.url);
    expect(after.milliseconds).toBeLessThan(1_500);
    expect(fastRequests(after.text)).toBe(fastRequests(before.text));

    await writeFile(file, valid);
    await within(30_000, () => [...workerPids(serve).keys()].some((worker) => worker > victimWorker));
    expect(
      logLines(serve).filter(
        (line) =>
          line.msg === "worker exited unexpectedly; starting a replacement" && line.signal !== "SIGKILL",
      ),
    ).toEqual([]);
  }, 60_000);

  it("on SIGTERM lets the streams in flight finish, refuses new connections and exits 0", async () => {
    const exited = once(serve.child, "exit") as Promise<[number | null, string | null]>;
    const streams = [chat(serve.url, "slow", { stream: true }), chat(serve.url, "slow", { stream: true })];
    expect(await Promise.all(streams.map((stream) => stream.headers))).toEqual([200, 200]);
    await sleep(SLOW_PART_MS);
    serve.child.kill("SIGTERM");
    await sleep(300);
    // A second signal while draining changes nothing.
    serve.child.kill("SIGTERM");

    const refused = await chat(serve.url, "fast").done;
    expect(refused).toMatchObject({ status: 0, error: "ECONNREFUSED" });

    const finished = await Promise.all(streams.map((stream) => stream.done));
    for (const { status, body } of finished) {
      expect(status).toBe(200);
      expect(body).toContain(`part ${SLOW_PARTS - 1}`);
      expect(body).toContain("[DONE]");
    }
    const [code, signal] = await Promise.race([
      exited,
      sleep(15_000).then(() => [null, "still running 15 s after the streams ended"] as const),
    ]);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const drained = logLines(serve).filter((line) => line.msg === "shutting down");
    // The primary once, and each live worker once.
    expect(drained.filter((line) => line.worker === undefined)).toHaveLength(1);
    expect(new Set(drained.filter((line) => line.worker !== undefined).map((line) => line.worker)).size).toBe(
      2,
    );
    expect(logLines(serve).some((line) => line.msg === "worker did not drain cleanly")).toBe(false);
  }, 60_000);

  it("refuses --workers 2 without Redis with exit 2, before anything starts", async () => {
    const bare = await mkdtemp(join(tmpdir(), "tollgate-serve-workers-bare-"));
    try {
      const failed = await startServeProcess({ cwd: bare, args: ["--workers", "2"] }).catch(
        (error: Error) => error.message,
      );
      expect(failed).toMatch(/^serve exited with 2:/);
      expect(failed).toContain("--workers 2 needs Redis");
      expect(failed).toContain("redis.url");
      // Nothing started: no store was made in the working directory.
      expect(existsSync(join(bare, ".tollgate"))).toBe(false);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});
