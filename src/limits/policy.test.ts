import { describe, expect, it } from "vitest";
import type { FeatureLimits } from "../config/index.js";
import type { Feature } from "../routing/feature.js";
import { type ActorBudget, type FeaturePolicy, isUnlimited, policyFor } from "./policy.js";

const MINUTE = 60_000;
const chat = { requests: 100, tokens: 200_000, interval: MINUTE, concurrent: 8 };
const star = { requests: 10, interval: 3_600_000 };
const defaultsChat = { concurrent: 2 };
const defaultsStar = { tokens: 5_000, interval: 86_400_000 };

describe("policyFor", () => {
  // [case, actor limits, defaults, feature, expected policy without budget]
  const table: [string, FeatureLimits | undefined, FeatureLimits | undefined, Feature, FeaturePolicy][] = [
    [
      "the actor's entry for the feature",
      { chat, "*": star },
      { chat: defaultsChat },
      "chat",
      {
        requests: { limit: 100, intervalMs: MINUTE },
        tokens: { limit: 200_000, intervalMs: MINUTE },
        concurrent: 8,
      },
    ],
    [
      "the actor's * when it has no entry for the feature",
      { chat, "*": star },
      { codeCompletion: defaultsChat },
      "codeCompletion",
      { requests: { limit: 10, intervalMs: 3_600_000 } },
    ],
    [
      "the defaults' entry for the feature when the actor has none",
      { chat },
      { embeddings: defaultsChat, "*": defaultsStar },
      "embeddings",
      { concurrent: 2 },
    ],
    [
      "the defaults' * last",
      { chat },
      { embeddings: defaultsChat, "*": defaultsStar },
      "fastChat",
      { tokens: { limit: 5_000, intervalMs: 86_400_000 } },
    ],
    [
      "the defaults when the actor has no limits",
      undefined,
      { "*": defaultsStar },
      "chat",
      { tokens: { limit: 5_000, intervalMs: 86_400_000 } },
    ],
    ["no limit at all", { chat }, undefined, "embeddings", {}],
    ["no limits anywhere", undefined, undefined, "chat", {}],
    // A whole entry wins: chat's entry has no concurrency, and does not inherit the defaults'.
    [
      "a whole entry, not merged fields",
      { fastChat: { requests: 5, interval: MINUTE } },
      { fastChat: defaultsChat },
      "fastChat",
      { requests: { limit: 5, intervalMs: MINUTE } },
    ],
  ];

  it.each(table)("takes %s", (_, actorLimits, defaults, feature, expected) => {
    expect(policyFor(actorLimits, undefined, defaults, feature, "UTC")).toEqual(expected);
  });

  it("adds the actor's budget, in the configured time zone, to every feature", () => {
    const budget: ActorBudget = { usd: 50, period: "month" };
    for (const feature of ["chat", "embeddings"] as const) {
      expect(policyFor({ chat }, budget, undefined, feature, "Europe/Berlin").budget).toEqual({
        usd: 50,
        period: "month",
        timeZone: "Europe/Berlin",
      });
    }
  });

  it("tells an unlimited policy apart", () => {
    expect(isUnlimited({})).toBe(true);
    expect(isUnlimited({ concurrent: 1 })).toBe(false);
    expect(isUnlimited({ budget: { usd: 1, period: "day", timeZone: "UTC" } })).toBe(false);
  });
});
