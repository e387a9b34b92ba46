import type { ActorConfig } from "../config/schema/tollgate.js";
import type { ActorRecord, Store } from "../store/index.js";
import { limitsForStorage } from "./actor.js";
import { bumpRevision } from "./revision.js";

export interface ConfigSyncResult {
  created: string[];
  updated: string[];
  disabled: string[];
}

/**
 * Mirrors the config file's actors into the store (source `config`) so the admin API and the CLI see
 * them and tokens can be issued to them. The config wins: an existing actor with the same id is
 * overwritten and becomes a config actor. Actors that left the config are disabled, not deleted: their
 * usage history and audit entries keep pointing at something, their tokens stop working at once, and
 * putting the actor back in the config enables it again.
 *
 * Config tokens are not copied: they live in the config (hashed at load) and the directory serves them
 * from memory, so removing one from the file and reloading revokes it without a database write.
 */
export async function syncConfigActors(
  store: Store,
  list: readonly ActorConfig[],
  now: Date = new Date(),
): Promise<ConfigSyncResult> {
  const result: ConfigSyncResult = { created: [], updated: [], disabled: [] };
  await store.transaction(async (tx) => {
    const existing = new Map((await tx.actors.list()).map((record) => [record.id, record]));
    for (const entry of list) {
      const wanted = {
        name: entry.name || entry.id,
        role: entry.role,
        status: entry.status,
        allowedModels: entry.allowedModels ?? null,
        limits: limitsForStorage(entry.limits),
        budget: entry.budget ?? null,
        source: "config" as const,
      };
      const current = existing.get(entry.id);
      if (!current) {
        await tx.actors.create({ id: entry.id, ...wanted, createdAt: now });
        result.created.push(entry.id);
      } else if (!same(current, wanted)) {
        await tx.actors.update(entry.id, wanted, now);
        result.updated.push(entry.id);
      }
    }
    const ids = new Set(list.map((entry) => entry.id));
    for (const record of existing.values()) {
      if (record.source === "config" && record.status === "active" && !ids.has(record.id)) {
        await tx.actors.update(record.id, { status: "disabled" }, now);
        result.disabled.push(record.id);
      }
    }
    const changed = [...result.created, ...result.updated, ...result.disabled];
    if (changed.length > 0) {
      await tx.audit.append({
        at: now,
        actorId: null,
        action: "config-actors-sync",
        target: null,
        details: result,
      });
      await bumpRevision(tx.settings);
    }
  });
  return result;
}

function same(record: ActorRecord, wanted: Omit<ActorRecord, "id" | "createdAt" | "updatedAt">): boolean {
  return (
    record.name === wanted.name &&
    record.role === wanted.role &&
    record.status === wanted.status &&
    record.source === wanted.source &&
    JSON.stringify(record.allowedModels) === JSON.stringify(wanted.allowedModels) &&
    JSON.stringify(record.limits) === JSON.stringify(wanted.limits) &&
    JSON.stringify(record.budget) === JSON.stringify(wanted.budget)
  );
}
