import { randomUUID } from "node:crypto";
import { Agent, request } from "undici";
import type { NotificationsConfig } from "../config/schema/tollgate.js";
import type { Logger } from "../telemetry/logger.js";
import type { NotificationEvent } from "./event.js";
import { SIGNATURE_HEADER, signature, TIMESTAMP_HEADER } from "./signature.js";

type Webhook = NotificationsConfig["webhooks"][number];

/** A notification that no try delivered to one webhook; kept (bounded) for inspection and tests. */
export interface DeadLetter {
  event: NotificationEvent;
  /** The webhook's origin only: a webhook URL's path is often its credential (Slack, Discord). */
  webhook: string;
  attempts: number;
  error: string;
  at: string;
}

const DEAD_LETTER_LIMIT = 100;

export interface WebhookDeliveryOptions {
  /** Read at each send, so a reload's webhooks and retry settings apply to the next notification. */
  settings: () => NotificationsConfig;
  logger: Pick<Logger, "info" | "warn" | "error">;
}

/**
 * Posts notifications to the configured webhooks, signed, each with its own retries (exponential
 * backoff) and then a dead letter. Runs on timers only: `send` never waits and never throws.
 */
export class WebhookDelivery {
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly letters: DeadLetter[] = [];
  private closed = false;

  constructor(private readonly options: WebhookDeliveryOptions) {}

  send(event: NotificationEvent): void {
    if (this.closed) return;
    const settings = this.options.settings();
    const body = JSON.stringify(event);
    for (const webhook of settings.webhooks) {
      if (webhook.events && !webhook.events.includes(event.type)) continue;
      void this.attempt(webhook, event, body, 1, settings);
    }
  }

  /** Notifications given up on, oldest first (at most the last 100). */
  deadLetters(): readonly DeadLetter[] {
    return this.letters;
  }

  /** Deliveries waiting for a try or in one (tests wait for zero). */
  pending(): number {
    return this.timers.size + this.inFlight.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const dropped = this.pending();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    if (dropped > 0)
      this.options.logger.warn({ dropped }, "shutdown: notifications still being delivered were dropped");
    await this.agent.close().catch(() => undefined);
  }

  private async attempt(
    webhook: Webhook,
    event: NotificationEvent,
    body: string,
    attempt: number,
    settings: NotificationsConfig,
  ): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error("timed out")), settings.timeout);
    let failure: string | undefined;
    try {
      // A fresh timestamp per try: a retry a minute later must still pass the receiver's replay window.
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await request(webhook.url, {
        method: "POST",
        dispatcher: this.agent,
        signal: controller.signal,
        headersTimeout: settings.timeout,
        bodyTimeout: settings.timeout,
        headers: {
          "content-type": "application/json",
          "user-agent": "tollgate",
          "x-tollgate-event": event.type,
          "x-tollgate-delivery": event.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signature(webhook.secret.reveal(), timestamp, body),
        },
        body,
      });
      await response.body.dump().catch(() => undefined);
      if (response.statusCode < 200 || response.statusCode >= 300) failure = `HTTP ${response.statusCode}`;
    } catch (error) {
      failure = controller.signal.aborted
        ? "timed out"
        : error instanceof Error
          ? error.message
          : String(error);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    if (failure === undefined || this.closed) return;
    if (attempt < settings.attempts) {
      const delay = settings.retryDelay * 2 ** (attempt - 1);
      const retry = setTimeout(() => {
        this.timers.delete(retry);
        void this.attempt(webhook, event, body, attempt + 1, settings);
      }, delay);
      this.timers.add(retry);
      return;
    }
    this.deadLetter(webhook, event, attempt, failure);
  }

  private deadLetter(webhook: Webhook, event: NotificationEvent, attempts: number, error: string): void {
    const letter: DeadLetter = {
      event,
      webhook: new URL(webhook.url).origin,
      attempts,
      error,
      at: new Date().toISOString(),
    };
    this.letters.push(letter);
    if (this.letters.length > DEAD_LETTER_LIMIT) this.letters.shift();
    this.options.logger.error(
      {
        webhook: letter.webhook,
        eventId: event.id,
        event: event.type,
        actorId: event.actorId,
        attempts,
        error,
      },
      "notification not delivered after every try; kept as a dead letter",
    );
  }
}

export const newEventId = (): string => randomUUID();
