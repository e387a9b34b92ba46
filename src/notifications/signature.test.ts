import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signature, verifySignature } from "./signature.js";

const secret = "whsec_unit";
const body = '{"type":"quota.threshold"}';
const now = 1_800_000_000_000;
const timestamp = now / 1000;

describe("webhook signatures", () => {
  it("are HMAC-SHA256 over the timestamp, a dot and the body", () => {
    const expected = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
    expect(signature(secret, timestamp, body)).toBe(`sha256=${expected}`);
  });

  it("verify, and fail for another body, secret or a replay outside the window", () => {
    const headers = { signature: signature(secret, timestamp, body), timestamp: String(timestamp) };
    expect(verifySignature(secret, headers, body, { nowMs: now })).toBe(true);
    expect(verifySignature(secret, headers, `${body} `, { nowMs: now })).toBe(false);
    expect(verifySignature("other", headers, body, { nowMs: now })).toBe(false);
    expect(verifySignature(secret, headers, body, { nowMs: now + 301_000 })).toBe(false);
    expect(
      verifySignature(secret, { ...headers, timestamp: String(timestamp + 1) }, body, { nowMs: now }),
    ).toBe(false);
  });
});
