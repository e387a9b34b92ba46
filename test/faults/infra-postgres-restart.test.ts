import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropSchemas, randomSchemaName, withClient, withSchema } from "../store/postgres.js";
import {
  chat,
  createStoreToken,
  type InProcessGateway,
  infraConfig,
  proxiedPostgres,
  randomToken,
  sleep,
  startInfraUpstream,
  startInProcess,
} from "./infra-harness.js";
import type { TcpFaultProxy } from "./tcp-fault-proxy.js";

/**
 * Postgres restarted under traffic (issue 15 "Infrastructure faults"), played through a fault proxy: every
 * connection reset, new ones refused for a few seconds, then accepted again. Requests with known tokens keep
 * flowing; their usage events wait in the recorder's queue (bounded by `usage.queueSize`) and are all written
 * once the store is back: one row per answered request, none lost, none dropped.
 */
describe("Postgres restarted under traffic", () => {
  const adminToken = randomToken("admin");
  const aliceToken = randomToken("alice");
  const schema = randomSchemaName();
  let dir: string;
  let proxy: TcpFaultProxy;
  let upstream: Awaited<ReturnType<typeof startInfraUpstream>>;
  let gateway: InProcessGateway;
  let storeToken: string;

  const rows = () =>
    withClient(async (client) => {
      const result = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}".usage_events WHERE status = 200`,
      );
      return Number(result.rows[0]?.n);
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-infra-pg-"));
    let proxied: URL;
    ({ proxy, proxied } = await proxiedPostgres());
    upstream = await startInfraUpstream();
    const config = infraConfig({
      upstreamUrl: upstream.url,
      storageUrl: withSchema(proxied.toString(), schema),
      storage: { connectTimeout: "1s", queryTimeout: "2s" },
    });
    gateway = await startInProcess(dir, config, {
      TOLLGATE_ADMIN_TOKEN: adminToken,
      ALICE_TOKEN: aliceToken,
    });
    storeToken = await createStoreToken(gateway.gateway.url, adminToken, "bob");
  }, 60_000);

  afterAll(async () => {
    proxy?.setMode("pass");
    await gateway?.close();
    await proxy?.close();
    await upstream?.close();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("keeps serving known tokens, buffers usage events while the store is down and writes every one after", async () => {
    const base = gateway.gateway.url;
    const usage = gateway.gateway.usage;
    expect((await chat(base, storeToken)).status).toBe(200);
    // Let the first rows land, so the count below starts from what the traffic adds.
    const before = await (async () => {
      await usage.flush();
      return rows();
    })();

    let running = true;
    const statuses: number[] = [];
    const traffic = (token: string, stream: boolean) =>
      (async () => {
        while (running) {
          statuses.push((await chat(base, token, { stream })).status);
          await sleep(20);
        }
      })();
    const clients = [traffic(aliceToken, false), traffic(storeToken, true), traffic(storeToken, false)];

    await sleep(300);
    // The restart: every connection reset, the server away for a few seconds, then back.
    proxy.setMode("refuse");
    proxy.resetAll();
    const down = Date.now();
    let depthWhileDown = 0;
    while (Date.now() - down < 3_000) {
      depthWhileDown = Math.max(depthWhileDown, usage.depth);
      await sleep(100);
    }
    proxy.setMode("pass");
    await sleep(500);
    running = false;
    await Promise.all(clients);

    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    // The events waited in memory while the store was down.
    expect(depthWhileDown).toBeGreaterThan(0);

    const answered = statuses.length;
    const deadline = Date.now() + 20_000;
    while ((await rows()) - before < answered && Date.now() < deadline) await sleep(200);
    expect((await rows()) - before).toBe(answered);
    expect(usage.dropped).toBe(0);
    expect(usage.depth).toBe(0);
  }, 90_000);
});
