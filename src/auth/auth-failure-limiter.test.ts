import { describe, expect, test } from "vitest";
import { GatewayError } from "../errors/index.js";
import { AuthFailureLimiter } from "./auth-failure-limiter.js";

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

function refusal(limiter: AuthFailureLimiter, address: string): GatewayError | undefined {
  try {
    limiter.check(address);
    return undefined;
  } catch (error) {
    return error as GatewayError;
  }
}

describe("AuthFailureLimiter", () => {
  test("an address is refused after `limit` failures in a window, until the window ends", () => {
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
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfterSeconds: 50 });
    expect(error!.message).toBe("too many failed authentication attempts from this address; retry in 50 s");
    // Other addresses are not affected.
    expect(refusal(limiter, "10.0.0.2")).toBeUndefined();
    expect(limiter.refusals).toBe(1);

    time.now += 49_500;
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
    limiter.check("someone-else");
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
