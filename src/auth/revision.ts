import { randomBytes } from "node:crypto";
import type { SettingsRepository } from "../store/index.js";

/** The settings key every replica polls to notice token and actor changes made anywhere. */
export const REVISION_KEY = "tokens.revision";

export interface Revision {
  /** Grows with each change (informational: concurrent bumps may write the same number). */
  n: number;
  /** Unique per bump, so two concurrent bumps never look like "no change" to a poller. */
  id: string;
}

/** Reads the current revision; `undefined` before the first change. */
export async function readRevision(settings: SettingsRepository): Promise<string | undefined> {
  const value = (await settings.get(REVISION_KEY)) as Partial<Revision> | undefined;
  return typeof value?.id === "string" ? value.id : undefined;
}

/**
 * Marks that tokens or actors changed. Call it inside the transaction that makes the change (or after
 * it commits): a poller that sees the new id reloads afterwards, so it sees the change.
 */
export async function bumpRevision(settings: SettingsRepository): Promise<void> {
  const current = (await settings.get(REVISION_KEY)) as Partial<Revision> | undefined;
  const n = typeof current?.n === "number" ? current.n + 1 : 1;
  await settings.set(REVISION_KEY, { n, id: `${n}-${randomBytes(8).toString("hex")}` } satisfies Revision);
}
