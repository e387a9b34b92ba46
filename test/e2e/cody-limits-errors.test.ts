/**
 * `GET /v1/limits` is Cody Gateway's route too when the token is a Cody one: its errors are then Cody's (JSON
 * `{"error": "…"}`, a plain-text 429 with an RFC 1123 retry-after), not OpenAI's, whatever fails — the token, the
 * address's failed attempts, or the limiter (a real Redis of the test's own, stopped).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { startTestGateway } from "../support/gateway.js";
import { OwnRedis } from "../support/own-redis.js";
import { freePort } from "../support/ports.js";

const instance = `slk_${"a".repeat(64)}`;
const unknown = `slk_${"c".repeat(64)}`;
const rfc1123 = /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

let dir: string;
let redis: OwnRedis;
let gateway: Gateway;
const schema = randomSchemaName();

const limits = (token: string) =>
  fetch(`${gateway.url}/v1/limits`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-cody-limits-"));
  redis = new OwnRedis(await freePort());
  await redis.start();
  const file = join(dir, "tollgate.jsonc");
  const config = {
    storage: { url: withSchema(await postgresUrl(), schema) },
    redis: { url: redis.url, keyPrefix: `tg-cody-limits-${schema}:` },
    // Two failed attempts block the address: the third unknown token is refused before its lookup.
    server: { authFailures: { limit: 2, window: "10m" } },
    modelConfiguration: { sourcegraph: null, providerOverrides: [], modelOverrides: [] },
    actors: [
      {
        id: "acme-sourcegraph",
        // A `${NAME}` reference, read from the environment at load.
        tokens: [`$\{INSTANCE}`],
        limits: { chat: { requests: 1000, interval: "1d" } },
      },
    ],
  };
  await writeFile(file, JSON.stringify(config));
  gateway = await startTestGateway({ file, dir, configEnv: { INSTANCE: instance } });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await redis?.remove();
  await dropSchemas([schema]);
  await rm(dir, { recursive: true, force: true });
});

describe("GET /v1/limits with a Cody token: errors in Cody's shape", () => {
  it("an unknown token is Cody's 401, and an address blocked for failed attempts Cody's plain-text 429", async () => {
    const refused = await limits(unknown);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/access token/) });

    expect((await limits(unknown)).status).toBe(401);
    const blocked = await limits(unknown);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("content-type")).toMatch(/^text\/plain/);
    const retryAfter = blocked.headers.get("retry-after")!;
    expect(retryAfter).toMatch(rfc1123);
    expect(Date.parse(retryAfter)).toBeGreaterThan(Date.now());
    expect(await blocked.text()).toMatch(/^too many failed authentication attempts from this address; .*\n$/);

    // The known token is still served from memory, in Cody's shape.
    const served = await limits(instance);
    expect(served.status).toBe(200);
    expect(await served.json()).toHaveProperty("chat_completions");
  });

  it("the limiter down is Cody's 503", async () => {
    await redis.stop();
    const down = await limits(instance);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { error: unknown };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error).toEqual(expect.any(String));
  }, 30_000);
});
