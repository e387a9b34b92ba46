import { describe, expect, it } from "vitest";
import { SignerCache } from "./signer-cache.js";

describe("SignerCache", () => {
  it("keeps one signer per provider and credentials, so a reload that changes neither keeps its token cache", () => {
    const cache = new SignerCache();
    let built = 0;
    const create = () => {
      built++;
      return async () => ({ authorization: `Bearer ${built}` });
    };
    const first = cache.get(["vertex", '{"kind":"adc"}'], create);
    expect(cache.get(["vertex", '{"kind":"adc"}'], create)).toBe(first);
    expect(cache.get(["vertex", '{"kind":"service-account-json","json":"{}"}'], create)).not.toBe(first);
    expect(cache.get(["other", '{"kind":"adc"}'], create)).not.toBe(first);
    // Parts are joined unambiguously: ["a", "bc"] and ["ab", "c"] are different keys.
    expect(cache.get(["a", "bc"], create)).not.toBe(cache.get(["ab", "c"], create));
    expect(built).toBe(5);
  });
});
