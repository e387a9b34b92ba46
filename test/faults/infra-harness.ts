/**
 * Shared pieces of the infrastructure fault tests: an OpenAI-compatible upstream (a quick answer, or a slow
 * stream), a config writer, an in-process gateway on a config file, and small HTTP helpers.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { postgresUrl } from "../store/postgres.js";
import { startTestGateway } from "../support/gateway.js";
import {
  chatChunk,
  chatCompletion,
  chatStreamEnd,
  localModel,
  onJsonBody,
} from "../support/openai-answers.js";
import { TcpFaultProxy } from "./tcp-fault-proxy.js";

export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export const randomToken = (label: string) => `tg_${label}_${randomBytes(12).toString("hex")}`;

/** Stream records the `slow` model sends, one every `SLOW_CHUNK_MS`. */
export const SLOW_CHUNKS = 6;
export const SLOW_CHUNK_MS = 500;

/** The answers' id: the infrastructure tests' own. */
const ID = "chatcmpl-infra";

/**
 * An OpenAI-compatible upstream at `<url>/v1`: model `fast` answers at once (JSON or a short stream), model
 * `slow` streams `SLOW_CHUNKS` records spaced `SLOW_CHUNK_MS` apart; every answer reports usage.
 */
export async function startInfraUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    onJsonBody(request, (body) => {
      const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
      if (!body.stream) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(chatCompletion(body.model, usage, ID));
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object, finish: string | null) => chatChunk(body.model, delta, finish, ID);
      const records = body.model === "slow" ? SLOW_CHUNKS : 1;
      let sent = 0;
      const next = () => {
        if (response.destroyed) return;
        if (sent < records) {
          response.write(chunk({ content: `part ${sent} ` }, null));
          sent++;
          setTimeout(next, body.model === "slow" ? SLOW_CHUNK_MS : 0);
          return;
        }
        response.write(chunk({}, "stop"));
        response.end(chatStreamEnd(usage, ID));
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `${NAME}` in a config file. */
/** The test Postgres behind a started fault proxy: `proxied` is its URL through the proxy, `direct` without. */
export async function proxiedPostgres(): Promise<{ proxy: TcpFaultProxy; direct: URL; proxied: URL }> {
  const direct = new URL(await postgresUrl());
  const proxy = new TcpFaultProxy(direct);
  const proxied = new URL(direct);
  proxied.host = await proxy.start();
  return { proxy, direct, proxied };
}

/** A token kept in the store (not the config), made through the admin API: its lookups need the store. */
export async function createStoreToken(
  gatewayUrl: string,
  adminToken: string,
  name: string,
): Promise<string> {
  const created = await fetch(`${gatewayUrl}/admin/api/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (created.status !== 201) throw new Error(`token create: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}

export const envReference = (name: string) => `$\{${name}}`;

export interface InfraConfigOptions {
  upstreamUrl: string;
  storageUrl: string;
  redis?: { url: string; keyPrefix: string };
  /** Added to the config's top level (e.g. `limits`, `server`, `usage`). */
  extra?: Record<string, unknown>;
  /** Extra `storage` settings (timeouts). */
  storage?: Record<string, unknown>;
  /** Config actors; default one, `alice`, whose token is `${ALICE_TOKEN}`. */
  actors?: unknown[];
}

export function infraConfig(options: InfraConfigOptions): string {
  return JSON.stringify({
    storage: { url: options.storageUrl, ...options.storage },
    ...(options.redis ? { redis: options.redis } : {}),
    usage: { flushInterval: "200ms" },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "local",
          serverSideConfig: { type: "openaicompatible", endpoints: [{ url: options.upstreamUrl }] },
        },
      ],
      modelOverrides: [localModel("fast"), localModel("slow")],
      defaultModels: { chat: "local::v1::fast", fastChat: "local::v1::fast", codeCompletion: "" },
    },
    actors: options.actors ?? [{ id: "alice", tokens: [envReference("ALICE_TOKEN")] }],
    ...options.extra,
  });
}

export interface InProcessGateway {
  gateway: Gateway;
  file: string;
  logs: string[];
  close(): Promise<void>;
}

/** `startGateway` on a config file written to `dir`, logging to memory. */
export async function startInProcess(
  dir: string,
  config: string,
  env: NodeJS.ProcessEnv,
  name = "tollgate.jsonc",
): Promise<InProcessGateway> {
  const file = join(dir, name);
  await writeFile(file, config);
  const logs: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: {
      write(line: string) {
        logs.push(line);
      },
    },
  });
  const gateway = await startTestGateway({ file, dir, configEnv: env, logger, env });
  return { gateway, file, logs, close: () => gateway.close() };
}

/** A chat completion; resolves with the status and the body's text (the whole stream when streaming). */
export async function chat(
  base: string,
  token: string,
  options: { model?: string; stream?: boolean; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: `local::v1::${options.model ?? "fast"}`,
      max_tokens: 10,
      stream: options.stream ?? false,
      messages: [{ role: "user", content: "hi" }],
    }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  return { status: response.status, body: await response.text() };
}
