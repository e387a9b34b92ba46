import { expect, test } from "vitest";
import { PROVIDER_TYPES } from "../../src/config/index.js";
import { pendingProviderFeatures } from "../../src/config/load/pending-features.js";
import { providerRegistry } from "../../src/providers/registry.js";

// When an adapter lands, its provider type's line in pending-features.ts must go, and only then.
test("the provider types config warns about are exactly those without an adapter", () => {
  const keyPolicy = { centralKey: true, allowUserKeys: false, centralKeyFallback: false };
  const pending = PROVIDER_TYPES.filter((type) =>
    pendingProviderFeatures({ id: "p", type, credentialMode: "config-key", keyPolicy }).some(
      (feature) => feature.blocks,
    ),
  );
  const missing = PROVIDER_TYPES.filter((type) => providerRegistry[type] === undefined);
  expect(pending).toEqual(missing);
});
