import { describe, expect, test, vi } from "vitest";
import { GatewayError } from "../errors/index.js";
import { AuthFailureLimiter } from "./auth-failure-limiter.js";

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

function refusal(limiter: AuthFailureLimiter, address: string): GatewayError | undefined {
  const until = limiter.blockedUntil(address);
  return until === undefined ? undefined : limiter.refusal(until);
}

describe("AuthFailureLimiter", () => {
  test("an address is blocked for a window after `limit` failures within one", () => {
    const { time, now } = clock();
    const limiter = new AuthFailureLimiter({ limit: 3, windowMs: 60_000 }, now);
    limiter.failed("10.0.0.1");
    time.now += 10_000;
    limiter.failed("10.0.0.1");
    expect(limiter.blocking).toBe(false);
    expect(refusal(limiter, "10.0.0.1")).toBeUndefined();
    limiter.failed("10.0.0.1");
    expect(limiter.blocking).toBe(true);

    const error = refusal(limiter, "10.0.0.1");
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfterSeconds: 60 });
    expect(error!.message).toBe("too many failed authentication attempts from this address; retry in 60 s");
    // Other addresses are not affected.
    expect(refusal(limiter, "10.0.0.2")).toBeUndefined();
    expect(limiter.refusals).toBe(1);

    time.now += 59_500;
    expect(refusal(limiter, "10.0.0.1")?.retryAfterSeconds).toBe(1);
    time.now += 500;
    expect(refusal(limiter, "10.0.0.1")).toBeUndefined();
    expect(limiter.blocking).toBe(false);
  });

  test("failures in an earlier window do not count", () => {
    const { time, now } = clock();
    const limiter = new AuthFailureLimiter({ limit: 2, windowMs: 1_000 }, now);
    limiter.failed("a");
    time.now += 1_000;
    limiter.failed("a");
    expect(limiter.blocking).toBe(false);
    limiter.failed("a");
    expect(limiter.blocking).toBe(true);
  });

  test("a block that ended is swept when any address is checked, so valid requests stop paying for it", () => {
    const { time, now } = clock();
    const limiter = new AuthFailureLimiter({ limit: 1, windowMs: 1_000 }, now);
    limiter.failed("gone");
    expect(limiter.blocking).toBe(true);
    time.now += 1_000;
    limiter.blockedUntil("someone-else");
    expect(limiter.blocking).toBe(false);
  });

  test("blocks end in the order they began, each swept when it ends, while later ones stay", () => {
    const { time, now } = clock();
    const limiter = new AuthFailureLimiter({ limit: 2, windowMs: 10_000 }, now);
    // "early" starts failing first but reaches the limit last: its block ends last.
    limiter.failed("early");
    time.now += 1_000;
    limiter.failed("late");
    limiter.failed("late");
    time.now += 1_000;
    limiter.failed("early");
    expect(limiter.blockedUntil("late")).toBe(now() - 1_000 + 10_000);
    expect(limiter.blockedUntil("early")).toBe(now() + 10_000);
    time.now += 9_000;
    expect(limiter.blockedUntil("someone-else")).toBeUndefined();
    expect(limiter.size).toBe(1);
    expect(refusal(limiter, "early")?.retryAfterSeconds).toBe(1);
    time.now += 1_000;
    expect(limiter.blockedUntil("someone-else")).toBeUndefined();
    expect(limiter.blocking).toBe(false);
  });

  test("a sweep visits only the blocks that ended, not every blocked address (review finding 4)", () => {
    const { time, now } = clock(0);
    const limiter = new AuthFailureLimiter({ limit: 1, windowMs: 60_000 }, now);
    const addresses = 2_000;
    // Address i is blocked at 10·i ms, until 60 s + 10·i ms.
    for (let index = 0; index < addresses; index++) {
      time.now = 10 * index;
      limiter.failed(`a${index}`);
    }
    // Steps of any Map iterator: the sweep's walk over the blocked map is the only one below.
    const iteratorPrototype = Object.getPrototypeOf(new Map<string, number>().entries());
    const steps = vi.spyOn(iteratorPrototype, "next");
    try {
      for (let index = 0; index < addresses; index++) {
        time.now = 60_000 + 10 * index;
        limiter.blockedUntil("someone-else");
        expect(limiter.size).toBe(addresses - index - 1);
      }
      // One ended block dropped and one live block seen per expiry, instead of the whole map each time.
      expect(steps.mock.calls.length).toBeLessThanOrEqual(3 * addresses);
    } finally {
      steps.mockRestore();
    }
    expect(limiter.blocking).toBe(false);
  });

  test("memory is bounded: many addresses evict the least recently failing ones", () => {
    const { now } = clock();
    const limiter = new AuthFailureLimiter({ limit: 5, windowMs: 60_000, maxAddresses: 100 }, now);
    for (let index = 0; index < 10_000; index++)
      limiter.failed(`10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`);
    expect(limiter.size).toBe(100);
    // Blocked addresses are bounded the same way.
    const blocking = new AuthFailureLimiter({ limit: 1, windowMs: 60_000, maxAddresses: 100 }, now);
    for (let index = 0; index < 10_000; index++) blocking.failed(`a${index}`);
    expect(blocking.size).toBe(100);
    expect(refusal(blocking, "a9999")).toBeDefined();
    expect(refusal(blocking, "a0")).toBeUndefined();
  });

  test("an address that keeps failing stays tracked while others come and go", () => {
    const { now } = clock();
    const limiter = new AuthFailureLimiter({ limit: 3, windowMs: 60_000, maxAddresses: 2 }, now);
    limiter.failed("attacker");
    limiter.failed("b");
    limiter.failed("attacker");
    limiter.failed("c");
    limiter.failed("attacker");
    expect(refusal(limiter, "attacker")).toBeDefined();
  });
});
