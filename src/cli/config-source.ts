import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { embeddedDefaultConfig, type LoadResult, loadConfigFile } from "../config/index.js";
import { redactUrl } from "../store/index.js";

/** The file name every command looks for in the working directory when no file is named. */
export const DEFAULT_CONFIG_FILE = "tollgate.jsonc";

/** Where a command's configuration comes from, and how it was found (for the line each command prints). */
export type ConfigSource =
  | { kind: "file"; path: string; foundBy: "--config" | "TOLLGATE_CONFIG" | "working directory" }
  | { kind: "embedded" };

/**
 * One rule for every command (serve, tokens, migrate, config check): the file named on the command line,
 * else `$TOLLGATE_CONFIG`, else `./tollgate.jsonc` when it exists, else the embedded default. A file named
 * explicitly must exist; only the working-directory file is optional.
 */
export async function findConfig(
  named: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<ConfigSource> {
  if (named !== undefined && named !== "")
    return { kind: "file", path: resolve(cwd, named), foundBy: "--config" };
  const fromEnv = env.TOLLGATE_CONFIG?.trim();
  if (fromEnv) return { kind: "file", path: resolve(cwd, fromEnv), foundBy: "TOLLGATE_CONFIG" };
  const local = resolve(cwd, DEFAULT_CONFIG_FILE);
  try {
    if ((await stat(local)).isFile()) return { kind: "file", path: local, foundBy: "working directory" };
  } catch {
    // No file in the working directory: the embedded default.
  }
  return { kind: "embedded" };
}

export function loadFromSource(
  source: ConfigSource,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LoadResult> {
  return source.kind === "file"
    ? loadConfigFile(source.path, env)
    : Promise.resolve(embeddedDefaultConfig(env));
}

export function describeSource(source: ConfigSource): string {
  if (source.kind === "embedded")
    return `the embedded default (no --config, TOLLGATE_CONFIG or ./${DEFAULT_CONFIG_FILE})`;
  return source.foundBy === "working directory"
    ? `${source.path} (found in the working directory)`
    : `${source.path} (from ${source.foundBy})`;
}

/** A store URL as a person should read it: password hidden, a relative SQLite path made absolute. */
export function describeStore(url: string, cwd: string): string {
  const sqlite = /^sqlite:(.*)$/.exec(url);
  if (sqlite && sqlite[1] !== ":memory:" && !sqlite[1]!.startsWith("/"))
    return `sqlite:${resolve(cwd, sqlite[1]!)}`;
  return redactUrl(url);
}
