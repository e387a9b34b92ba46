import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { GatewayError } from "../../errors/index.js";
import { readJsonBody } from "./read-json-body.js";

const events = ["data", "end", "error", "close"] as const;
type Counts = Record<(typeof events)[number], number>;

function listenerCounts(request: IncomingMessage): Counts {
  return Object.fromEntries(events.map((name) => [name, request.listenerCount(name)])) as Counts;
}

interface Seen {
  before: Counts;
  after: Counts;
  result: unknown;
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/**
 * Sends `body` (chunked: no content-length, so the limit is found while reading) to a server that reads it with
 * `readJsonBody` and reports the request's listeners around it.
 */
async function read(body: string, limit = 1_000): Promise<Seen> {
  let seen: ((value: Seen) => void) | undefined;
  const done = new Promise<Seen>((resolve) => {
    seen = resolve;
  });
  const server = createServer((request, response) => {
    const before = listenerCounts(request);
    readJsonBody(request, limit).then(
      (result) => seen?.({ before, after: listenerCounts(request), result }),
      (error: unknown) => seen?.({ before, after: listenerCounts(request), result: error }),
    );
    // The answer waits, as a held stream does: the request object stays alive meanwhile.
    done.then(() => response.end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const sent = httpRequest(
      { host: "127.0.0.1", port, method: "POST", headers: { "content-type": "application/json" } },
      (response) => {
        response.resume();
        response.once("end", resolve);
      },
    );
    sent.once("error", reject);
    sent.write(body.slice(0, 10));
    sent.end(body.slice(10));
  });
  return done;
}

describe("readJsonBody", () => {
  test("leaves no listener of its own on the request once the body is read", async () => {
    const { before, after, result } = await read('{"model":"m","messages":[]}');
    expect(result).toEqual({ model: "m", messages: [] });
    // A listener left on the request would keep the body's bytes for as long as the answer lasts.
    expect(after).toEqual(before);
  });

  test("nor once the body was refused as too large", async () => {
    const { before, after, result } = await read(JSON.stringify({ text: "x".repeat(5_000) }), 1_000);
    expect(result).toBeInstanceOf(GatewayError);
    expect((result as GatewayError).code).toBe("body_too_large");
    expect(after).toEqual(before);
  });
});
