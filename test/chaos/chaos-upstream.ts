import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the upstream behaves right now; the chaos run switches it between phases. */
export type UpstreamMood = "calm" | "stormy";

/**
 * One mock provider for the chaos run, speaking OpenAI chat and Anthropic Messages (both streamed or
 * whole). It counts the requests it holds per model, so the run can check that admissions never
 * exceeded a concurrency limit: every chaos actor calls only its own model.
 *
 * In a storm a share of requests fail the way providers do: a 500, a 529, a reset before the headers,
 * a stream cut in the middle, or an answer that drips slowly.
 */
export class ChaosUpstream {
  mood: UpstreamMood = "calm";
  /** Each request's time at the upstream per model: from its arrival to its connection's close. */
  private readonly spans = new Map<string, { from: number; to: number }[]>();
  private readonly received = new Map<string, number>();
  private server: Server | undefined;
  private random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.answer(request, response));
    this.server.listen(0, "127.0.0.1");
    await new Promise((resolve) => this.server!.once("listening", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Requests that reached the upstream for a model: each was admitted by the gateway. */
  receivedFor(model: string): number {
    return this.received.get(model) ?? 0;
  }

  /**
   * The most requests of a model the upstream held at once. A call the gateway abandons (its client left) is
   * cut at once on the gateway's side, but its close reaches this server a moment later, when the freed slot may
   * already have admitted the next request: `graceMs` is that moment, and overlaps shorter than it do not count.
   */
  mostHeld(model: string, graceMs = 0): number {
    const points: [number, number][] = [];
    for (const { from, to } of this.spans.get(model) ?? []) {
      points.push([from, 1], [Math.max(from, to - graceMs), -1]);
    }
    // Ends before starts at the same instant: touching intervals do not overlap.
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let most = 0;
    for (const [, step] of points) {
      now += step;
      most = Math.max(most, now);
    }
    return most;
  }

  private hold(model: string, response: ServerResponse): void {
    let spans = this.spans.get(model);
    if (!spans) {
      spans = [];
      this.spans.set(model, spans);
    }
    const span = { from: performance.now(), to: Number.POSITIVE_INFINITY };
    spans.push(span);
    response.once("close", () => {
      span.to = performance.now();
    });
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let body: { model?: string; stream?: boolean };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        response.writeHead(400).end();
        return;
      }
      const model = body.model ?? "unknown";
      this.received.set(model, (this.received.get(model) ?? 0) + 1);
      this.hold(model, response);
      const anthropic = request.url?.includes("/messages") ?? false;
      const fault = this.mood === "stormy" ? pickFault(this.random()) : "none";
      if (fault === "reset") {
        request.socket.destroy();
        return;
      }
      if (fault === "500" || fault === "529") {
        const status = Number(fault);
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: `chaos ${status}`, type: "server_error" } }));
        return;
      }
      const pace = fault === "slow" ? 400 : 5;
      if (body.stream) streamAnswer(response, model, anthropic, pace, fault === "cut");
      else setTimeout(() => wholeAnswer(response, model, anthropic), pace);
    });
  }
}

type Fault = "none" | "500" | "529" | "reset" | "cut" | "slow";

/** A storm: about a third of requests fail, a tenth are slow. */
function pickFault(roll: number): Fault {
  if (roll < 0.1) return "500";
  if (roll < 0.15) return "529";
  if (roll < 0.22) return "reset";
  if (roll < 0.32) return "cut";
  if (roll < 0.42) return "slow";
  return "none";
}

function wholeAnswer(response: ServerResponse, model: string, anthropic: boolean): void {
  if (response.destroyed) return;
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify(
      anthropic
        ? {
            id: "msg_chaos",
            type: "message",
            role: "assistant",
            model,
            content: [{ type: "text", text: "ok" }],
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: { input_tokens: 7, output_tokens: 2 },
          }
        : {
            id: "chatcmpl-chaos",
            object: "chat.completion",
            created: 1,
            model,
            choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
            usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
          },
    ),
  );
}

/** Four records a `pace` apart; a cut stream stops after the second without its end. */
function streamAnswer(
  response: ServerResponse,
  model: string,
  anthropic: boolean,
  pace: number,
  cut: boolean,
): void {
  const records = anthropic ? anthropicRecords(model) : openaiRecords(model);
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let next = 0;
  const write = () => {
    if (response.destroyed) return;
    if (cut && next === 2) {
      response.socket?.destroy();
      return;
    }
    if (next === records.length) {
      response.end();
      return;
    }
    response.write(records[next++]);
    setTimeout(write, pace);
  };
  write();
}

function openaiRecords(model: string): string[] {
  const chunk = (delta: object, finish: string | null, usage?: object) =>
    `data: ${JSON.stringify({
      id: "chatcmpl-chaos",
      object: "chat.completion.chunk",
      created: 1,
      model,
      choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
      ...(usage ? { usage } : {}),
    })}\n\n`;
  return [
    chunk({ role: "assistant", content: "" }, null),
    chunk({ content: "o" }, null),
    chunk({ content: "k" }, "stop"),
    `${chunk({}, null, { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 })}data: [DONE]\n\n`,
  ];
}

function anthropicRecords(model: string): string[] {
  const event = (type: string, data: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    event("message_start", {
      message: {
        id: "msg_chaos",
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 7, output_tokens: 1 },
      },
    }) + event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "ok" } }),
    event("content_block_stop", { index: 0 }),
    event("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 2 },
    }) + event("message_stop", {}),
  ];
}
