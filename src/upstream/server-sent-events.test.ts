import { describe, expect, it } from "vitest";
import { readServerSentEvents, type ServerSentEvent } from "./server-sent-events.js";

async function* chunks(...parts: Array<string | Uint8Array | Error>): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    if (part instanceof Error) throw part;
    yield typeof part === "string" ? Buffer.from(part) : part;
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(body)) events.push(event);
  return events;
}

describe("readServerSentEvents", () => {
  it("reads OpenAI-style data events split anywhere, including [DONE]", async () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    const parts = [stream.slice(0, 3), stream.slice(3, 17), stream.slice(17, 30), stream.slice(30)];
    expect(await collect(chunks(...parts))).toEqual([
      { data: '{"a":1}' },
      { data: '{"b":2}' },
      { data: "[DONE]" },
    ]);
  });

  it("reads Anthropic-style named events, CRLF line ends and comments", async () => {
    const events = await collect(
      chunks(
        ': ping\r\n\r\nevent: message_start\r\ndata: {"type":"message_start"}\r\n\r\nevent: ping\r\ndata: {}\r\n\r\n',
      ),
    );
    expect(events).toEqual([
      { event: "message_start", data: '{"type":"message_start"}' },
      { event: "ping", data: "{}" },
    ]);
  });

  it("keeps multi-byte characters split across chunks and joins multi-line data", async () => {
    const bytes = Buffer.from("data: héllo 🌍\ndata: line2\n\n");
    const cut = bytes.indexOf(0xf0) + 2; // in the middle of the emoji
    expect(await collect(chunks(bytes.subarray(0, cut), bytes.subarray(cut)))).toEqual([
      { data: "héllo 🌍\nline2" },
    ]);
  });

  it("delivers a last event that lacks its blank line", async () => {
    expect(await collect(chunks("data: one\n\ndata: two"))).toEqual([{ data: "one" }, { data: "two" }]);
  });

  it("passes body errors through after the events before them", async () => {
    const failure = new Error("idle timeout");
    const seen: string[] = [];
    await expect(async () => {
      for await (const event of readServerSentEvents(chunks("data: one\n\n", failure))) seen.push(event.data);
    }).rejects.toBe(failure);
    expect(seen).toEqual(["one"]);
  });

  it("refuses an event larger than the limit", async () => {
    const big = `data: ${"x".repeat(2_000)}`;
    await expect(async () => {
      for await (const _event of readServerSentEvents(chunks(big, "\n\n"), { maxEventChars: 1_000 })) {
        // nothing
      }
    }).rejects.toThrow(/size limit/);
  });
});
