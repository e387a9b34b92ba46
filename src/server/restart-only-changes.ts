import { type LoadedConfig, Secret } from "../config/index.js";

/** Settings read once at start, by their config path: a reload that changes them says so. */
export function restartOnlyChanges(current: LoadedConfig["config"], next: LoadedConfig["config"]): string[] {
  const changed: string[] = [];
  for (const key of ["server", "storage"] as const) {
    if (!sameSettings(current[key], next[key])) changed.push(key);
  }
  // `redis.failMode` applies live; the connection and key prefix do not.
  const connection = (redis: typeof current.redis) => redis && { url: redis.url, keyPrefix: redis.keyPrefix };
  if (!sameSettings(connection(current.redis), connection(next.redis))) changed.push("redis");
  const metrics = (config: typeof current) => {
    const { enabled, actorLabels } = config.telemetry.metrics;
    return { enabled, actorLabels };
  };
  if (!sameSettings(metrics(current), metrics(next))) changed.push("telemetry.metrics");
  if (!sameSettings(current.telemetry.tracing, next.telemetry.tracing)) changed.push("telemetry.tracing");
  if (!sameSettings(current.telemetry.logging, next.telemetry.logging)) changed.push("telemetry.logging");
  // Notifications are read per event; the recorder's queue and retention are set up once.
  const recorder = ({ notifications: _, ...rest }: typeof current.usage) => rest;
  if (!sameSettings(recorder(current.usage), recorder(next.usage))) changed.push("usage");
  return changed;
}

/**
 * Compares settings including secret values: JSON.stringify applies `toJSON` (which redacts a
 * Secret) before a replacer sees the value, so the replacer reads the original from its holder.
 */
function sameSettings(a: unknown, b: unknown): boolean {
  function reveal(this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Secret ? original.reveal() : value;
  }
  return JSON.stringify(a, reveal) === JSON.stringify(b, reveal);
}
