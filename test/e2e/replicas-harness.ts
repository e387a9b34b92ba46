import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { chatCompletion, localModel, onJsonBody } from "../support/openai-answers.js";
import { type ServeProcess, startServeProcess } from "./serve-process.js";

/** Two or more `tollgate serve` processes on one Postgres and one Redis (single, Cluster or Sentinel). */

export const adminToken = `tg_admin_${randomBytes(12).toString("hex")}`;
export const countedToken = `tg_counted_${randomBytes(12).toString("hex")}`;
export const concurrentToken = `tg_concurrent_${randomBytes(12).toString("hex")}`;
export const concurrencyLimit = 3;

/** `${NAME}` in the config: the gateway reads the token from its environment. */
export const envReference = (name: string) => `$\{${name}}`;

/** An OpenAI upstream that answers after `delayMs` (or holds requests of model `hold`) and counts what is in flight. */
export function mockUpstream() {
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    onJsonBody(request, (body) => {
      const key = body.model;
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      maxInFlight.set(key, Math.max(maxInFlight.get(key) ?? 0, inFlight.get(key)!));
      const done = () => inFlight.set(key, inFlight.get(key)! - 1);
      response.once("close", done);
      if (key === "hold") return; // never answers: a request that outlives its replica
      setTimeout(
        () => {
          response.writeHead(200, { "content-type": "application/json" });
          response.end(chatCompletion(key, { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 }));
        },
        key === "slow" ? 150 : 1,
      );
    });
  });
  return { server, maxInFlight, inFlight };
}

export function config(
  upstreamUrl: string,
  storageUrl: string,
  redisPrefix: string,
  redisUrl = "redis://127.0.0.1:6379",
): string {
  return JSON.stringify({
    storage: { url: storageUrl },
    redis: { url: redisUrl, keyPrefix: redisPrefix },
    limits: { concurrencyLease: "2s" },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "local",
          displayName: "Local",
          serverSideConfig: { type: "openaicompatible", endpoints: [{ url: upstreamUrl }] },
        },
      ],
      modelOverrides: [localModel("fast"), localModel("slow"), localModel("hold")],
      defaultModels: { chat: "local::v1::fast", fastChat: "local::v1::fast", codeCompletion: "" },
    },
    actors: [
      {
        id: "counted",
        name: "Counted",
        tokens: [envReference("COUNTED_TOKEN")],
        limits: { chat: { requests: 100, interval: "1h" } },
      },
      {
        id: "concurrent",
        name: "Concurrent",
        tokens: [envReference("CONCURRENT_TOKEN")],
        limits: { chat: { concurrent: concurrencyLimit } },
      },
    ],
  });
}

export async function chat(
  base: string,
  token: string,
  model: string,
  signal?: AbortSignal,
): Promise<number> {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: `local::v1::${model}`,
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    }),
    ...(signal ? { signal } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

export interface ReplicaPair {
  upstream: ReturnType<typeof mockUpstream>;
  dir: string;
  first: ServeProcess;
  second: ServeProcess;
  stop(): Promise<void>;
}

/** Two `tollgate serve` processes on a Postgres schema of their own and the given Redis, in front of the mock. */
export async function startReplicaPair(redisPrefix: string, redisUrl?: string): Promise<ReplicaPair> {
  const upstream = mockUpstream();
  const schema = randomSchemaName();
  await new Promise<void>((resolve) => upstream.server.listen(0, "127.0.0.1", resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/v1`;
  const dir = await mkdtemp(join(tmpdir(), "tollgate-replicas-"));
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(upstreamUrl, withSchema(await postgresUrl(), schema), redisPrefix, redisUrl));
  const env = {
    TOLLGATE_ADMIN_TOKEN: adminToken,
    COUNTED_TOKEN: countedToken,
    CONCURRENT_TOKEN: concurrentToken,
  };
  // Started one after the other: the first applies the migrations.
  const first = await startServeProcess({ cwd: dir, env, args: ["--config", file] });
  const second = await startServeProcess({ cwd: dir, env, args: ["--config", file] });
  return {
    upstream,
    dir,
    first,
    second,
    async stop() {
      await Promise.all([first.stop(), second.stop()]);
      upstream.server.closeAllConnections();
      await new Promise((resolve) => upstream.server.close(resolve));
      await dropSchemas([schema]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** 400 requests of the counted actor (100 an hour) spread over both replicas: exactly 100 admitted. */
export async function admittedOf400(pair: ReplicaPair): Promise<{ ok: number; refused: number }> {
  const statuses = await Promise.all(
    Array.from({ length: 400 }, (_, index) =>
      chat(index % 2 === 0 ? pair.first.url : pair.second.url, countedToken, "fast"),
    ),
  );
  return {
    ok: statuses.filter((status) => status === 200).length,
    refused: statuses.filter((status) => status === 429).length,
  };
}
