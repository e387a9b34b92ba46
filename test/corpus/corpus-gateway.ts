/**
 * The gateway the bad-input corpus runs against: in-process (startGateway, real socket, SQLite in a temp dir),
 * the e2e harness's providers and models on one mock upstream, a 1 MiB body limit, and one caller whose limits
 * would show a slot or a reservation left held: one request at a time and a token quota.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { gatewayConfig, refusedOrigin } from "../e2e/gateway-harness.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

export const corpusToken = "tg_corpus_caller_0123456789abcdef";
export const bodyLimit = 1024 * 1024;
/** The caller's quota, per feature: one request at a time, 200,000 tokens an hour. */
export const quota = { requests: 100_000, tokens: 200_000, interval: "1h", concurrent: 1 };

export interface CorpusGateway {
  url: string;
  mock: MockUpstream;
  gateway: Gateway;
  /** Every log line the gateway wrote. */
  logs: string[];
  close(): Promise<void>;
}

export async function startCorpusGateway(): Promise<CorpusGateway> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-corpus-"));
  const mock = await startMockUpstream();
  // The e2e harness's config (a comment line, then JSON), with the corpus caller and a small body limit.
  const text = gatewayConfig(mock.url, await refusedOrigin(), join(dir, "tollgate.db"));
  const config = JSON.parse(text.slice(text.indexOf("\n") + 1)) as Record<string, unknown>;
  config.server = { bodyLimit };
  // The token is read from the environment at load, as an administrator's config would.
  config.actors = [{ id: "corpus", tokens: [`$\{CORPUS_TOKEN}`], limits: { "*": quota } }];
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, JSON.stringify(config, null, 2));
  const logs: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: {
      write(line: string) {
        logs.push(line);
      },
    },
  });
  const gateway = await startTestGateway({ file, dir, configEnv: { CORPUS_TOKEN: corpusToken }, logger });
  return {
    url: gateway.url,
    mock,
    gateway,
    logs,
    async close() {
      await gateway.close();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
