import { describe, expect, it } from "vitest";
import { createSseReader, formatSse, parseSseText } from "./sse.js";

describe("sse", () => {
  it("parses events with names, comments and CRLF separators", () => {
    const events = parseSseText(': keep-alive\n\nevent: ping\ndata: {"a":1}\r\n\r\ndata: [DONE]\n\n');
    expect(events.map((event) => [event.event, event.data])).toEqual([
      ["ping", '{"a":1}'],
      [undefined, "[DONE]"],
    ]);
  });

  it("reassembles events and UTF-8 split across byte chunks", () => {
    const seen: string[] = [];
    const reader = createSseReader((event) => seen.push(event.data));
    const bytes = new TextEncoder().encode('data: {"t":"é"}\n\n');
    reader.feedBytes(bytes.slice(0, 13));
    expect(seen).toEqual([]);
    reader.feedBytes(bytes.slice(13));
    expect(seen).toEqual(['{"t":"é"}']);
  });

  it("formats records", () => {
    expect(formatSse("{}")).toBe("data: {}\n\n");
    expect(formatSse("{}", "ping")).toBe("event: ping\ndata: {}\n\n");
  });
});
