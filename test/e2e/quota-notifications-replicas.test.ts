import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/index.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { testRedis, within } from "../auth/redis.js";
import { type MockUpstream, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";
import { chat, notificationsConfig, scriptHundredTokens, WebhookReceiver } from "./notifications-harness.js";

/** Issue 14: two replicas sharing Postgres and Redis send each threshold's notification exactly once. */

const redis = testRedis();
const schema = randomSchemaName();
let dir: string;
let mock: MockUpstream;
let receiver: WebhookReceiver;
let replicas: Gateway[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-notify-replicas-"));
  mock = await startMockUpstream();
  scriptHundredTokens(mock);
  receiver = await new WebhookReceiver().start();
  const config = notificationsConfig({
    storage: withSchema(await postgresUrl(), schema),
    mock: mock.url,
    webhook: receiver.url,
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: redis.keyPrefix },
  });
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, JSON.stringify(config));
  const loaded = await loadConfigFile(file, {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  for (let index = 0; index < 2; index++) {
    replicas.push(
      await startGateway({
        loaded,
        logger: createLogger({ level: "silent" }),
        env: {},
        cwd: dir,
        host: "127.0.0.1",
        port: 0,
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(replicas.map((gateway) => gateway.close()));
  replicas = [];
  await receiver?.close();
  await mock?.close();
  await redis.cleanup();
  await dropSchemas([schema]);
  await rm(dir, { recursive: true, force: true });
});

describe("quota notifications across replicas", () => {
  it("fire once per threshold, signed, whichever replica served the requests", async () => {
    const [one, other] = replicas as [Gateway, Gateway];
    // 60%: both replicas see the 50% pass of the token quota and of the budget.
    for (let index = 0; index < 6; index++) {
      expect((await chat((index % 2 === 0 ? one : other).url)).status).toBe(200);
    }
    await within(5_000, () => receiver.deliveries.length >= 2);
    // 90%: the 80% passes.
    for (let index = 0; index < 3; index++) {
      expect((await chat((index % 2 === 0 ? other : one).url)).status).toBe(200);
    }
    await within(5_000, () => receiver.deliveries.length >= 4);
    // Both replicas read again within their next second: a duplicate would arrive by then.
    await sleep(2_500);

    expect(receiver.fired()).toEqual(["budget:-:50", "budget:-:80", "tokens:chat:50", "tokens:chat:80"]);
    expect(receiver.deliveries.every((delivery) => delivery.signed)).toBe(true);
    const tokens80 = receiver.deliveries.find(
      ({ event }) => event.quota === "tokens" && event.threshold === 80,
    )!.event;
    expect(tokens80).toMatchObject({
      type: "quota.threshold",
      actorId: "team-a",
      actorName: "Team A",
      feature: "chat",
      limit: 1000,
    });
    expect(tokens80.usage).toBeGreaterThanOrEqual(800);
    expect(Date.parse(tokens80.period.end) - Date.parse(tokens80.period.start)).toBe(3_600_000);
    const budget50 = receiver.deliveries.find(
      ({ event }) => event.quota === "budget" && event.threshold === 50,
    )!;
    expect(budget50.event.limit).toBe(0.009);
    expect(budget50.event.feature).toBeUndefined();
    expect(budget50.headers["x-tollgate-delivery"]).toBe(budget50.event.id);
    expect(replicas.every((gateway) => gateway.notifier.deadLetters().length === 0)).toBe(true);
  });
});
