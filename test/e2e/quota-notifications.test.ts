import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { within } from "../auth/redis.js";
import { type MockUpstream, sleep, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";
import {
  type ConfigOptions,
  chat,
  notificationsConfig,
  scriptHundredTokens,
  WebhookReceiver,
  webhookSecret,
} from "./notifications-harness.js";

/** Issue 14 on one replica without Redis: the claims live in memory. */

let mock: MockUpstream;
let receiver: WebhookReceiver;
let dir: string;
let gateway: Gateway | undefined;
let logs: string[] = [];

async function start(options: Partial<ConfigOptions> = {}): Promise<Gateway> {
  const file = join(dir, "tollgate.jsonc");
  const storage = `sqlite:${join(dir, `${Math.random().toString(36).slice(2)}.db`)}`;
  await writeFile(
    file,
    JSON.stringify(notificationsConfig({ storage, mock: mock.url, webhook: receiver.url, ...options })),
  );
  logs = [];
  const logger = createLogger({ level: "info", destination: { write: (line: string) => logs.push(line) } });
  gateway = await startTestGateway({ file, dir, logger });
  return gateway;
}

async function send(count: number, url: string): Promise<number[]> {
  const durations: number[] = [];
  for (let index = 0; index < count; index++) {
    const { status, ms } = await chat(url);
    expect(status).toBe(200);
    durations.push(ms);
  }
  return durations;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-notify-"));
  mock = await startMockUpstream();
  scriptHundredTokens(mock);
  receiver = await new WebhookReceiver().start();
});

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  receiver.deliveries.length = 0;
  receiver.status = 200;
  receiver.delayMs = 0;
});

afterAll(async () => {
  await receiver?.close();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("quota notifications on one replica", () => {
  it("fire once per threshold from memory, signed, and are logged without the secret", async () => {
    const { url } = await start();
    await send(6, url);
    await within(5_000, () => receiver.deliveries.length >= 2);
    await send(3, url);
    await within(5_000, () => receiver.deliveries.length >= 4);
    await sleep(1_500);
    expect(receiver.fired()).toEqual(["budget:-:50", "budget:-:80", "tokens:chat:50", "tokens:chat:80"]);
    expect(receiver.deliveries.every((delivery) => delivery.signed)).toBe(true);
    await within(2_000, () => logs.filter((line) => line.includes('"quota threshold passed"')).length >= 4);
    expect(logs.filter((line) => line.includes('"quota threshold passed"'))).toHaveLength(4);
    expect(logs.join("\n")).not.toContain(webhookSecret);
  });

  it("retries a failing webhook with backoff, then keeps a dead letter logged at error", async () => {
    receiver.status = 500;
    const started = await start({ attempts: 3 });
    await send(6, started.url);
    // Two notifications (tokens and budget at 50%), three tries each.
    await within(5_000, () => started.notifier.deadLetters().length >= 2);
    expect(receiver.deliveries).toHaveLength(6);
    const ids = new Set(receiver.deliveries.map(({ event }) => event.id));
    expect(ids.size).toBe(2);
    const letters = started.notifier.deadLetters();
    expect(letters.map((letter) => letter.attempts)).toEqual([3, 3]);
    expect(letters[0]!.error).toBe("HTTP 500");
    expect(letters[0]!.webhook).toBe(new URL(receiver.url).origin);
    // Log lines reach the destination in batches.
    const errors = () => logs.filter((line) => line.includes('"level":"error"'));
    await within(2_000, () => errors().length >= 2);
    expect(errors()).toHaveLength(2);
    expect(errors()[0]).toContain("dead letter");
    expect(logs.join("\n")).not.toContain(webhookSecret);
    expect(logs.join("\n")).not.toContain("/hooks/tollgate");
    expect(started.notifier.pending()).toBe(0);
  });

  it("a slow webhook does not slow requests", async () => {
    receiver.delayMs = 3_000;
    const started = await start({ timeout: "10s" });
    const before = await send(6, started.url);
    await within(5_000, () => receiver.deliveries.length >= 2);
    // The webhook holds both deliveries open while these requests run.
    const during = await send(3, started.url);
    expect(started.notifier.pending()).toBeGreaterThan(0);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    expect(Math.max(...during)).toBeLessThan(500);
    expect(median(during)).toBeLessThan(median(before) + 100);
  });
});
