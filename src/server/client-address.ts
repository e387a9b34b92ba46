import type { IncomingMessage } from "node:http";
import proxyAddr from "@fastify/proxy-addr";

/** `server.trustProxy`: true, a hop count, or addresses/CIDRs (a comma list or an array). */
export type TrustProxy = boolean | number | string | string[];

/**
 * The client's address as Fastify's `request.ip` gives it for the same `trustProxy` (fastify/lib/request.js, with
 * the hop count as app.ts hands it over), for the proxy lane, which bypasses Fastify. Same library, same rules.
 */
export function clientAddressOf(trust: TrustProxy): (request: IncomingMessage) => string {
  const trusted = trustFunction(trust);
  if (trusted === undefined) return (request) => request.socket.remoteAddress ?? "";
  return (request) => proxyAddr(request, trusted);
}

function trustFunction(trust: TrustProxy): ((address: string, hop: number) => boolean) | undefined {
  if (trust === false) return undefined;
  if (trust === true) return () => true;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  if (typeof trust === "string") return proxyAddr.compile(trust.split(",").map((value) => value.trim()));
  return proxyAddr.compile(trust);
}
