import { initial } from "./001-initial.js";
import { providerKeys } from "./002-provider-keys.js";
import { usageEvents } from "./003-usage-events.js";
import { usageEventIds } from "./004-usage-event-ids.js";
import { catalogueEntries } from "./005-catalogue-entries.js";
import type { Migration } from "./migration.js";

export type { Migration } from "./migration.js";

/** Every migration, in order. Later issues append theirs here (one file each). */
export const migrations: readonly Migration[] = [
  initial,
  providerKeys,
  usageEvents,
  usageEventIds,
  catalogueEntries,
];
