import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeProcess, startServeProcess } from "../e2e/serve-process.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";

/**
 * The gateway the console's browser tests drive: the built `tollgate serve` (dist/, console in dist/web) as a
 * process, on SQLite in a temp dir, with a mock upstream for every provider. The file declares one keyless
 * OpenAI-compatible provider and its model (the chat default is the file's, the other features' defaults are
 * free for the console to choose) and a readonly actor; the admin token comes from TOLLGATE_ADMIN_TOKEN.
 */

export const adminToken = "tg_console_e2e_admin_0123456789abcdefghijklmnopq";
export const readonlyToken = "tg_console_e2e_readonly_0123456789abcdefghijkl";

/** The file's model, the chat default the console cannot change. */
export const fileModel = { ref: "local::v1::small", displayName: "Local Small" } as const;

export interface ConsoleGateway {
  url: string;
  mock: MockUpstream;
  serve: ServeProcess;
  close(): Promise<void>;
}

function config(mockUrl: string, storage: string): string {
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    actors: [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${ENV} reference.
      { id: "watcher", name: "Watcher", role: "readonly", tokens: ["${WATCHER_TOKEN}"] },
    ],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "local",
          displayName: "Local",
          serverSideConfig: { type: "openaicompatible", endpoints: [{ url: `${mockUrl}/compat/v1` }] },
        },
      ],
      modelOverrides: [
        {
          modelRef: fileModel.ref,
          displayName: fileModel.displayName,
          modelName: "small",
          capabilities: ["chat", "autocomplete"],
          category: "balanced",
          status: "stable",
          contextWindow: { maxInputTokens: 8000, maxOutputTokens: 1000 },
        },
      ],
      defaultModels: { chat: fileModel.ref, fastChat: "", codeCompletion: "" },
    },
  });
}

export async function startConsoleGateway(): Promise<ConsoleGateway> {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-console-"));
  const mock = await startMockUpstream();
  const file = join(dir, "tollgate.json");
  await writeFile(file, config(mock.url, join(dir, "tollgate.db")));
  let serve: ServeProcess;
  try {
    serve = await startServeProcess({
      cwd: dir,
      args: ["--config", file],
      env: { TOLLGATE_ADMIN_TOKEN: adminToken, WATCHER_TOKEN: readonlyToken },
    });
  } catch (error) {
    await mock.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: serve.url,
    mock,
    serve,
    async close() {
      await serve.stop();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
