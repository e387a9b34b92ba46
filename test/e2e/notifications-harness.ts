/**
 * Quota notifications end to end: a webhook receiver (node:http) that records and verifies deliveries, an
 * OpenAI mock that answers every chat with exactly 100 tokens (10% of the test quota), and the config.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hashToken } from "../../src/auth/token.js";
import type { QuotaThresholdEvent } from "../../src/notifications/event.js";
import { verifySignature } from "../../src/notifications/signature.js";
import type { MockUpstream } from "../mock-upstream/mock-upstream.js";

export const webhookSecret = "whsec_test_notifications_0123456789";
export const actorToken = "tg_e2e_notify_0123456789abcdef";

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  event: QuotaThresholdEvent;
  signed: boolean;
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  /** The status to answer, and how long to wait before answering. */
  status = 200;
  delayMs = 0;
  url = "";
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const signed = verifySignature(
        webhookSecret,
        {
          signature: request.headers["x-tollgate-signature"] as string | undefined,
          timestamp: request.headers["x-tollgate-timestamp"] as string | undefined,
        },
        body,
      );
      this.deliveries.push({ headers: request.headers, body, event: JSON.parse(body), signed });
      setTimeout(() => response.writeHead(this.status).end(), this.delayMs);
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/tollgate`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** `quota:feature:threshold` of each delivery, sorted: what fired, whatever the order. */
  fired(): string[] {
    return this.deliveries
      .map(({ event }) => `${event.quota}:${event.feature ?? "-"}:${event.threshold}`)
      .sort();
  }
}

/** Every chat costs 100 tokens (50 in, 50 out): 10% of the 1,000-token quota and of the 0.009 USD budget. */
export function scriptHundredTokens(mock: MockUpstream): void {
  mock.script("/openai", (_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: "chatcmpl-notify",
        object: "chat.completion",
        created: 1,
        model: "text",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 50, completion_tokens: 50, total_tokens: 100 },
      }),
    );
  });
}

export interface ConfigOptions {
  storage: string;
  mock: string;
  webhook: string;
  redis?: { url: string; keyPrefix: string };
  attempts?: number;
  timeout?: string;
}

export function notificationsConfig(options: ConfigOptions) {
  return {
    storage: { url: options.storage },
    ...(options.redis && { redis: options.redis }),
    usage: {
      notifications: {
        thresholds: [50, 80],
        webhooks: [{ url: options.webhook, secret: webhookSecret }],
        attempts: options.attempts ?? 3,
        retryDelay: "20ms",
        timeout: options.timeout ?? "5s",
      },
    },
    actors: [
      {
        id: "team-a",
        name: "Team A",
        tokens: [{ sha256: hashToken(actorToken) }],
        limits: { chat: { tokens: 1000, interval: "1h" } },
        // 0.0009 USD a request at these prices: 10% each.
        budget: { usd: 0.009, period: "month" },
      },
    ],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${options.mock}/openai`, accessToken: "sk-test" },
        },
      ],
      modelOverrides: [
        {
          modelRef: "openai::v1::text",
          modelName: "text",
          capabilities: ["chat"],
          category: "balanced",
          status: "stable",
          contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
          pricing: { input: 3, output: 15 },
        },
      ],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
  };
}

/** One chat request; resolves with its status and how long it took. */
export async function chat(gatewayUrl: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${actorToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "openai::v1::text",
      max_tokens: 20,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}
