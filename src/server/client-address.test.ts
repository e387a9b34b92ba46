import type { IncomingMessage } from "node:http";
import { describe, expect, test } from "vitest";
import { clientAddressOf } from "./client-address.js";

const request = (remoteAddress: string, forwarded?: string) =>
  ({
    socket: { remoteAddress },
    headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded },
  }) as unknown as IncomingMessage;

describe("clientAddressOf follows server.trustProxy as Fastify's request.ip does", () => {
  test.each([
    [false, "127.0.0.1", "198.51.100.1, 10.0.0.2", "127.0.0.1"],
    [true, "127.0.0.1", "198.51.100.1, 10.0.0.2", "198.51.100.1"],
    [1, "127.0.0.1", "198.51.100.1, 10.0.0.2", "10.0.0.2"],
    [2, "127.0.0.1", "198.51.100.1, 10.0.0.2", "198.51.100.1"],
    [0, "127.0.0.1", "198.51.100.1", "127.0.0.1"],
    ["127.0.0.1, 10.0.0.0/8", "127.0.0.1", "198.51.100.1, 10.0.0.2", "198.51.100.1"],
    [["loopback"], "127.0.0.1", "198.51.100.1, 10.0.0.2", "10.0.0.2"],
    // An untrusted peer's X-Forwarded-For is ignored: clients cannot pick their own address.
    ["10.0.0.0/8", "203.0.113.5", "198.51.100.1", "203.0.113.5"],
  ] as const)("trustProxy %j, peer %s, forwarded %j → %s", (trust, peer, forwarded, expected) => {
    const trustProxy = Array.isArray(trust) ? [...trust] : (trust as boolean | number | string);
    expect(clientAddressOf(trustProxy)(request(peer, forwarded))).toBe(expected);
  });
});
