/**
 * No secret in logs or error bodies (conventions; DESIGN §5): with known fake provider keys and a known
 * gateway token, upstreams that echo the key in every place a provider might (error bodies of each
 * status, mid-stream error events, a token in the query string), and the gateway logging at `trace`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendJson, streamRecording } from "../mock-upstream/mock-upstream.js";
import { recordingFor } from "../mock-upstream/recordings.js";
import {
  allSecrets,
  gatewayToken,
  type Harness,
  leakedSecrets,
  providerKeys,
  startHarness,
} from "./gateway-harness.js";
import { anthropicParams, callAnthropic, callOpenAI, openaiParams } from "./proxy-sdk-calls.js";

let h: Harness;
/** Everything clients received in failures: raw bodies, SDK messages, headers. */
const seen: string[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

// biome-ignore lint/suspicious/noExplicitAny: SDK errors of either client.
type SdkError = any;

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    const sdk = error as SdkError;
    const text = [String(sdk?.message), JSON.stringify(sdk?.error ?? null)].join("\n");
    seen.push(text);
    return sdk;
  }
  throw new Error("expected the call to fail");
}

type Client = "openai" | "anthropic";
const clients: Client[] = ["openai", "anthropic"];

function chat(client: Client, model: string, stream: boolean) {
  return client === "openai"
    ? callOpenAI(h.openai, openaiParams(model, "text"), stream)
    : callAnthropic(h.anthropic, anthropicParams(model, "text"), stream);
}

/** Providers whose key an echoing upstream repeats, with the mock prefix and error shape. */
const echoing = [
  { model: "openai::v1::text", prefix: "/openai/", key: providerKeys.openai, dialect: "openai" },
  { model: "azure::v1::text", prefix: "/azure/", key: providerKeys.azure, dialect: "openai" },
  { model: "anthropic::v1::text", prefix: "/anthropic/", key: providerKeys.anthropic, dialect: "anthropic" },
  { model: "mistral::v1::text", prefix: "/mistral/", key: providerKeys.mistral, dialect: "openai" },
  { model: "fireworks::v1::text", prefix: "/fireworks/", key: providerKeys.fireworks, dialect: "openai" },
  {
    model: "compat-query::v1::text",
    prefix: "/compat-query/",
    key: providerKeys.compatQuery,
    dialect: "openai",
  },
  {
    model: "compat-headers::v1::text",
    prefix: "/compat-headers/",
    key: providerKeys.compatHeader,
    dialect: "openai",
  },
] as const;

function echoBody(dialect: "openai" | "anthropic", key: string): object {
  const message = `Incorrect API key provided: ${key}. Authorization: Bearer ${key}`;
  return dialect === "openai"
    ? { error: { message, type: "invalid_request_error", code: "invalid_api_key", param: null } }
    : { type: "error", error: { type: "invalid_request_error", message } };
}

describe("upstream error bodies that echo the key", () => {
  const cases = echoing.flatMap((provider) =>
    [400, 401, 422, 500].flatMap((status) => clients.map((client) => ({ ...provider, status, client }))),
  );

  it.each(cases)(
    "$status from $model → $client client",
    async ({ model, prefix, key, dialect, status, client }) => {
      h.mock.script(prefix, (_request, response) => sendJson(response, status, echoBody(dialect, key)));
      const error = await failure(chat(client, model, false));
      expect(error.status).toBe(status === 401 ? 502 : status === 500 ? 502 : status);
      const text = JSON.stringify(error.error);
      expect(text).not.toContain(key);
      // Caller-fault statuses keep the provider's message, with the key cut out.
      if (status === 400 || status === 422) expect(text).toContain("Incorrect API key provided: [redacted]");
    },
  );
});

describe("mid-stream error events that echo the key", () => {
  const cases = clients.flatMap((client) =>
    (["compat", "anthropic"] as const).map((flavour) => ({ client, flavour })),
  );

  it.each(cases)("$flavour stream → $client client", async ({ client, flavour }) => {
    const key = flavour === "compat" ? providerKeys.compat : providerKeys.anthropic;
    h.mock.script(`/${flavour}/`, async (_request, response) => {
      await streamRecording(response, recordingFor(flavour, "text"), { stopAfter: 3, after: "hang" });
      response.end(
        flavour === "compat"
          ? `data: ${JSON.stringify(echoBody("openai", key))}\n\n`
          : `event: error\ndata: ${JSON.stringify(echoBody("anthropic", key))}\n\n`,
      );
    });
    const error = await failure(chat(client, `${flavour}::v1::text`, true));
    expect(JSON.stringify(error.error)).toContain("Incorrect API key provided");
    expect(JSON.stringify(error.error)).not.toContain(key);
  });
});

describe("the gateway's own token", () => {
  it("is never echoed in a 401 and never sent upstream", async () => {
    const wrong = `${gatewayToken}x`;
    const response = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${wrong}`, "content-type": "application/json" },
      body: JSON.stringify(openaiParams("openai::v1::text", "text")),
    });
    expect(response.status).toBe(401);
    const body = await response.text();
    seen.push(body);
    expect(body).not.toContain(wrong);
    await chat("openai", "compat::v1::text", false);
    await chat("anthropic", "anthropic::v1::text", true);
    for (const request of h.mock.requests)
      expect(JSON.stringify(request.headers)).not.toContain(gatewayToken);
  });
});

describe("logs", () => {
  it("no provider key and no gateway token in any trace-level log line of this file", () => {
    expect(seen.length).toBeGreaterThan(50);
    expect(h.logs.length).toBeGreaterThan(100);
    const leaks = [...h.logs, ...seen].flatMap((line) =>
      leakedSecrets(line).map((secret) => `${secret} in ${line.slice(0, 300)}`),
    );
    expect(leaks).toEqual([]);
    expect(allSecrets.length).toBe(Object.keys(providerKeys).length + 1);
  });
});
