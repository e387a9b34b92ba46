import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { startTestGateway } from "../support/gateway.js";
import { OwnRedis } from "../support/own-redis.js";
import { freePort } from "../support/ports.js";

/**
 * `/readyz` while Redis is away: with `failMode: open` the replica serves on (uncounted), so it stays ready and
 * only reports Redis as unavailable (an orchestrator would otherwise pull every replica at once); with `closed` it
 * refuses every request, so it is unready.
 */
describe.each(["open", "closed"] as const)("readiness with Redis away and failMode %s", (failMode) => {
  let dir: string;
  let redis: OwnRedis;
  let gateway: Gateway;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-readiness-"));
    redis = new OwnRedis(await freePort());
    await redis.start();
    const file = join(dir, "tollgate.jsonc");
    await writeFile(
      file,
      JSON.stringify({ storage: { url: "sqlite::memory:" }, redis: { url: redis.url, failMode } }),
    );
    gateway = await startTestGateway({ file, dir });
  });

  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("is ready with Redis up, and says what it needs when Redis goes away", async () => {
    const up = await fetch(`${gateway.url}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: "ok", checks: { store: "ok", redis: "ok" } });
    await redis.stop();
    const away = await fetch(`${gateway.url}/readyz`);
    expect(await away.json()).toEqual({
      status: failMode === "open" ? "ok" : "unavailable",
      checks: { store: "ok", redis: "unavailable" },
    });
    expect(away.status).toBe(failMode === "open" ? 200 : 503);
  });
});
