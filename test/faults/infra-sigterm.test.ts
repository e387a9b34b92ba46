import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServeProcess, startServeProcess } from "../e2e/serve-process.js";
import { dropSchemas, postgresUrl, randomSchemaName, withClient, withSchema } from "../store/postgres.js";
import {
  envReference,
  infraConfig,
  randomToken,
  SLOW_CHUNK_MS,
  SLOW_CHUNKS,
  sleep,
  startInfraUpstream,
} from "./infra-harness.js";

/**
 * Issue 15 "Hangs": after SIGTERM with two slow streams in flight, the streams finished but the process had
 * not exited 15 s later (their keep-alive connections went idle after server.close() had closed the idle
 * ones, and held the process until the keep-alive timeout). Under load now: the streams finish within the
 * drain deadline, new connections are refused, usage is written, and the process exits 0 soon after.
 */
describe("SIGTERM under load (tollgate serve)", () => {
  const aliceToken = randomToken("alice");
  const schema = randomSchemaName();
  let dir: string;
  let upstream: Awaited<ReturnType<typeof startInfraUpstream>>;
  let serve: ServeProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-infra-sigterm-"));
    upstream = await startInfraUpstream();
    const file = join(dir, "tollgate.jsonc");
    await writeFile(
      file,
      infraConfig({
        upstreamUrl: upstream.url,
        storageUrl: withSchema(await postgresUrl(), schema),
        actors: [{ id: "alice", tokens: [envReference("ALICE_TOKEN")] }],
        // Events are written only by the shutdown's flush (none is due before).
        extra: { usage: { flushInterval: "10m" }, server: { shutdownTimeout: "20s" } },
      }),
    );
    serve = await startServeProcess({
      cwd: dir,
      env: { TOLLGATE_ADMIN_TOKEN: randomToken("admin"), ALICE_TOKEN: aliceToken },
      args: ["--config", file, "--log-format", "json"],
    });
  }, 60_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill("SIGKILL");
    await upstream?.close();
    await dropSchemas([schema]);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("drains the streams in flight, refuses new connections, writes usage and exits 0 promptly", async () => {
    const exited = once(serve.child, "exit") as Promise<[number | null, string | null]>;
    const startStream = async () => {
      const response = await fetch(`${serve.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${aliceToken}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "local::v1::slow",
          stream: true,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(response.status).toBe(200);
      return response;
    };
    // Both streams are under way (headers received) before the signal.
    const responses = await Promise.all([startStream(), startStream()]);
    const bodies = responses.map(async (response) => {
      const text = await response.text();
      return { text, endedAt: Date.now() };
    });
    await sleep(SLOW_CHUNK_MS);
    serve.child.kill("SIGTERM");
    await sleep(300);

    // Draining: the listener is closed, a new connection is refused.
    const refused = await fetch(`${serve.url}/healthz`).then(
      () => "answered",
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
    );
    expect(refused).toBe("ECONNREFUSED");

    const finished = await Promise.all(bodies);
    for (const { text } of finished) {
      expect(text).toContain(`part ${SLOW_CHUNKS - 1}`);
      expect(text).toContain("[DONE]");
    }
    const lastStreamEnded = Math.max(...finished.map((body) => body.endedAt));
    expect(serve.child.exitCode).toBeNull();

    // Liveness, not performance: the exit follows the drain instead of a keep-alive timeout.
    const [code, signal] = await Promise.race([
      exited,
      sleep(15_000).then(() => [null, "still running 15 s after the streams ended"] as const),
    ]);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - lastStreamEnded).toBeLessThan(5_000);

    const rows = await withClient(async (client) => {
      const result = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}".usage_events WHERE model_ref = 'local::v1::slow' AND status = 200`,
      );
      return Number(result.rows[0]?.n);
    });
    expect(rows).toBe(2);
  }, 90_000);
});
