import type { RequestOutcome } from "../proxy/outcome.js";
import type { UsageEvent } from "../store/usage-events.js";
import { timeOrderedUuid } from "./event-id.js";

export type { UsageEvent } from "../store/usage-events.js";

/** Origins of the endpoints seen, so an event does not parse its URL: a gateway reaches a handful of hosts. */
const origins = new Map<string, string | null>();
const MAX_ORIGINS = 1_000;

/** Only the origin: an endpoint's path or query may carry a key (`?key=…`). */
function endpointOrigin(url: string | undefined): string | null {
  if (url === undefined) return null;
  let origin = origins.get(url);
  if (origin === undefined) {
    try {
      const parsed = new URL(url).origin;
      origin = parsed === "null" ? null : parsed;
    } catch {
      origin = null;
    }
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(url, origin);
  }
  return origin;
}

function difference(later: number | undefined, earlier: number | undefined): number | null {
  return later === undefined || earlier === undefined ? null : round(later - earlier);
}

const round = (milliseconds: number) => Math.round(milliseconds * 100) / 100;

/**
 * The gateway's own time: until the call left, and for a whole answer also from having read it to writing
 * it (a stream's events are relayed as they come, so its time after the first byte is the upstream's).
 */
function overhead(outcome: RequestOutcome): number | null {
  if (outcome.upstreamSentMs === undefined) return null;
  const relay = outcome.stream ? null : difference(outcome.clientFirstByteMs, outcome.upstreamDoneMs);
  return round(outcome.upstreamSentMs + Math.max(0, relay ?? 0));
}

/**
 * One usage event from a finished request's outcome. A request that never reached the provider (refused:
 * 401, 403, 429, an invalid body) records zero tokens and no cost, whatever an estimate said.
 */
export function toUsageEvent(outcome: RequestOutcome): UsageEvent {
  const usage = outcome.upstreamSent ? outcome.usage : undefined;
  return {
    time: new Date(Math.round(outcome.startedAt)),
    requestId: outcome.requestId,
    traceId: outcome.traceId ?? null,
    actorId: outcome.actorId ?? null,
    tokenId: outcome.tokenId ?? null,
    feature: outcome.feature ?? null,
    route: outcome.route,
    dialect: outcome.dialect,
    modelRef: outcome.modelRef ?? null,
    providerId: outcome.providerId ?? null,
    endpoint: endpointOrigin(outcome.endpointUrl),
    credential: outcome.credential ?? null,
    stream: outcome.stream,
    status: outcome.status,
    errorCode: outcome.errorCode ?? null,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cacheReadTokens: usage?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    costUsd: outcome.upstreamSent ? (outcome.costUsd ?? 0) : 0,
    latencyMs: round(outcome.durationMs),
    ttftMs: outcome.clientFirstByteMs ?? null,
    upstreamMs: difference(outcome.upstreamFirstByteMs, outcome.upstreamSentMs),
    overheadMs: overhead(outcome),
    eventId: timeOrderedUuid(),
  };
}
