import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { AccessError } from "../auth/access-admin.js";
import { parseDuration } from "../config/index.js";
import { LIMIT_FEATURES } from "./actors-input.js";
import { UsageError } from "./io.js";

/**
 * The change flags of `tollgate actors create` and `set`, turned into the admin API's actor fields. Only their
 * syntax is checked here (a usage error naming the flag); the values are the schema's to judge, so a count of 0
 * or an interval of "soon" is refused with the field's message, as in the config file.
 */

export interface ChangeFlags {
  name?: string | undefined;
  role?: string | undefined;
  status?: string | undefined;
  "allowed-models"?: string | undefined;
  "clear-allowed-models"?: boolean | undefined;
  limits?: string | undefined;
  "clear-limits"?: boolean | undefined;
  budget?: string | undefined;
  "clear-budget"?: boolean | undefined;
  feature?: string | undefined;
  requests?: string | undefined;
  tokens?: string | undefined;
  concurrent?: string | undefined;
}

interface Rate {
  count: number;
  interval: string | undefined;
}

/** One feature's limit changed field by field, on top of what the actor has. */
export interface FeatureEdit {
  feature: string;
  /** Removes the feature's limit (`--feature F --clear-limits`). */
  clear: boolean;
  requests?: Rate;
  tokens?: Rate;
  concurrent?: number;
}

export interface ActorEdit {
  /** Admin API input fields (`name`, `role`, `status`, `allowedModels`, `limits`, `budget`), unvalidated. */
  fields: Record<string, unknown>;
  feature?: FeatureEdit;
}

const ROLES = ["admin", "readonly", "user"];
const STATUSES = ["active", "disabled"];
const COUNT = /^\d+$/;
const RATE = /^(\d+)(?:\/(.+))?$/;
const BUDGET = /^\$?(\d+(?:\.\d+)?)\/(.+)$/;

function oneOf(flag: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}; got \`${value}\``);
  }
  return value;
}

function exclusive(flags: ChangeFlags, first: keyof ChangeFlags, second: keyof ChangeFlags): void {
  if (flags[first] !== undefined && flags[second] !== undefined) {
    throw new UsageError(`--${first} and --${second} cannot be combined`);
  }
}

/** `--limits '{…}'` or `--limits @file.json`: a file that cannot be read fails (exit 1), bad JSON is a usage error. */
async function json(flag: string, value: string, cwd: string): Promise<unknown> {
  let text = value;
  let where = "";
  if (value.startsWith("@")) {
    const path = resolve(cwd, value.slice(1));
    where = ` in ${path}`;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new AccessError("invalid", `cannot read --${flag} ${path}: ${(error as Error).message}`, flag);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `--${flag} takes JSON or @FILE; the JSON${where} is invalid: ${(error as Error).message}`,
    );
  }
}

function allowedModels(value: string): string[] {
  const globs = value.split(",").map((glob) => glob.trim());
  if (globs.some((glob) => glob === "")) {
    throw new UsageError(
      `--allowed-models takes model globs separated by commas, none empty; got \`${value}\` (--clear-allowed-models allows every model)`,
    );
  }
  return globs;
}

function budgetFlag(value: string): unknown {
  const match = BUDGET.exec(value.trim());
  if (match) return { usd: Number(match[1]), period: match[2] };
  throw new UsageError(
    `--budget takes USD/PERIOD such as 25/month, or JSON such as {"usd":25,"period":"month"}; got \`${value}\``,
  );
}

function rate(flag: string, value: string): Rate {
  const match = RATE.exec(value.trim());
  if (!match) throw new UsageError(`--${flag} takes COUNT or COUNT/INTERVAL such as 60/1m; got \`${value}\``);
  return { count: Number(match[1]), interval: match[2] };
}

function featureEdit(flags: ChangeFlags): FeatureEdit | undefined {
  const fieldFlags = (["requests", "tokens", "concurrent"] as const).filter(
    (flag) => flags[flag] !== undefined,
  );
  if (flags.feature === undefined) {
    if (fieldFlags.length > 0) {
      throw new UsageError(`--${fieldFlags[0]} needs --feature ${LIMIT_FEATURES.join("|")}`);
    }
    return undefined;
  }
  const feature = oneOf("feature", flags.feature, LIMIT_FEATURES);
  const clear = flags["clear-limits"] === true;
  if (clear && fieldFlags.length > 0) {
    throw new UsageError(
      `--clear-limits with --feature removes the feature's limit; drop --${fieldFlags[0]}`,
    );
  }
  if (!clear && fieldFlags.length === 0) {
    throw new UsageError("--feature needs --requests, --tokens, --concurrent or --clear-limits");
  }
  const edit: FeatureEdit = { feature, clear };
  if (flags.requests !== undefined) edit.requests = rate("requests", flags.requests);
  if (flags.tokens !== undefined) edit.tokens = rate("tokens", flags.tokens);
  if (flags.concurrent !== undefined) {
    if (!COUNT.test(flags.concurrent.trim())) {
      throw new UsageError(`--concurrent takes a count such as 4; got \`${flags.concurrent}\``);
    }
    edit.concurrent = Number(flags.concurrent.trim());
  }
  const [first, second] = [edit.requests?.interval, edit.tokens?.interval];
  if (first !== undefined && second !== undefined && !sameInterval(first, second)) {
    throw new UsageError(
      `--requests and --tokens of one feature share one interval; got ${first} and ${second}`,
    );
  }
  return edit;
}

export function sameInterval(first: string, second: string): boolean {
  const [a, b] = [parseDuration(first), parseDuration(second)];
  return a === undefined || b === undefined ? first === second : a === b;
}

/** The change flags as admin API fields; `forCreate` refuses the clearing flags (a new actor has nothing to clear). */
export async function actorEdit(flags: ChangeFlags, cwd: string, forCreate: boolean): Promise<ActorEdit> {
  exclusive(flags, "allowed-models", "clear-allowed-models");
  exclusive(flags, "budget", "clear-budget");
  exclusive(flags, "limits", "clear-limits");
  exclusive(flags, "limits", "feature");
  if (forCreate) {
    for (const flag of ["clear-allowed-models", "clear-budget", "clear-limits"] as const) {
      if (flags[flag] !== undefined) throw new UsageError(`\`actors create\` does not take --${flag}`);
    }
  }
  const fields: Record<string, unknown> = {};
  if (flags.name !== undefined) fields.name = flags.name;
  if (flags.role !== undefined) fields.role = oneOf("role", flags.role, ROLES);
  if (flags.status !== undefined) fields.status = oneOf("status", flags.status, STATUSES);
  if (flags["allowed-models"] !== undefined) fields.allowedModels = allowedModels(flags["allowed-models"]);
  if (flags["clear-allowed-models"]) fields.allowedModels = null;
  if (flags.budget !== undefined) {
    const text = flags.budget.trim();
    fields.budget =
      text.startsWith("{") || text.startsWith("@") ? await json("budget", text, cwd) : budgetFlag(text);
  }
  if (flags["clear-budget"]) fields.budget = null;
  if (flags.limits !== undefined) fields.limits = await json("limits", flags.limits.trim(), cwd);
  const feature = featureEdit(flags);
  if (flags["clear-limits"] && feature === undefined) fields.limits = null;
  return feature === undefined ? { fields } : { fields, feature };
}
