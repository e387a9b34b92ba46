// One measured scenario of a target, as every report reads it.
import type { TargetName, Usage } from "./harness.js";
import type { HoldStats, Percentiles, RateResult, StreamStats } from "./load.js";

export type Route = "openai" | "anthropic" | "bedrock";

export interface Measurement {
  scenario: string;
  target: TargetName;
  /** bedrock-rate (and its peak, bedrock-max): the gateway route an OpenAI-dialect request took. */
  route?: Route;
  status: "ok" | "not-ready";
  /** Repeated measurements of bare and tollgate (`--rounds`) are numbered from 1; absent: measured once. */
  round?: number;
  note?: string;
  offeredRate?: number;
  rate?: RateResult;
  stream?: { sequential: StreamStats; concurrent: StreamStats };
  chunks?: number;
  hold?: HoldStats & { healthzMs?: Percentiles & { failed: number } };
  usage?: Usage;
}
