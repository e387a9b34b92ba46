import { parseArgs } from "node:util";
import { AccessAdmin, AccessError, type TokenView } from "../auth/access-admin.js";
import type { Role } from "../auth/principal.js";
import { ROLES } from "../auth/roles.js";
import { durationBoundProblem } from "../config/duration.js";
import { parseDuration, type TollgateConfig } from "../config/index.js";
import { announceChange } from "./announce-change.js";
import { openCommandStore } from "./command-store.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const help = `Usage: tollgate tokens <create|list|revoke> [options]

Manages access tokens in the store directly (a running gateway notices changes within a second).

  tollgate tokens create --name NAME [--role admin|readonly|user] [--actor ID] [--expires 30d] [--json]
      Creates a token and prints it once. Without --actor, also creates an actor named NAME with the
      role (default user); with --actor, the token belongs to that existing actor.
  tollgate tokens list [--actor ID] [--json]
      Lists tokens (never the tokens themselves): id, name, actor, hint, state, created, expires, last used.
  tollgate tokens revoke ID [--json]
      Revokes a token by its id (tok_…).

Options:
  -c, --config FILE  the gateway's config file, to find its store (default: $TOLLGATE_CONFIG, else
                     ./tollgate.jsonc, else the embedded default store .tollgate/tollgate.db)
      --json         machine-readable output
  -h, --help         show this help
`;

interface Options {
  config?: string | undefined;
  json?: boolean | undefined;
  name?: string | undefined;
  role?: string | undefined;
  actor?: string | undefined;
  expires?: string | undefined;
  help?: boolean | undefined;
}

function parse(args: string[]): { values: Options; positionals: string[] } {
  try {
    return parseArgs({
      args,
      options: {
        config: { type: "string", short: "c" },
        json: { type: "boolean" },
        name: { type: "string" },
        role: { type: "string" },
        actor: { type: "string" },
        expires: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function only(values: Options, subcommand: string, allowed: (keyof Options)[]): void {
  for (const key of Object.keys(values) as (keyof Options)[]) {
    if (values[key] !== undefined && !allowed.includes(key) && key !== "config" && key !== "help") {
      throw new UsageError(`\`tokens ${subcommand}\` does not take --${key}`);
    }
  }
}

export async function runTokens(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(args);
  const [subcommand, ...rest] = positionals;
  if (values.help || subcommand === undefined) {
    io.stdout(help);
    return values.help ? exitCode.ok : exitCode.usage;
  }
  if (!["create", "list", "revoke"].includes(subcommand)) {
    throw new UsageError(`unknown subcommand \`${subcommand}\`; expected create, list or revoke`);
  }
  if (subcommand !== "revoke" && rest.length > 0) throw new UsageError(`unexpected argument \`${rest[0]}\``);

  let run: (admin: AccessAdmin, context: Context) => Promise<number>;
  if (subcommand === "create") {
    only(values, "create", ["name", "role", "actor", "expires", "json"]);
    const name = values.name?.trim();
    if (!name) throw new UsageError("`tokens create` needs --name NAME");
    if (values.role !== undefined && !ROLES.includes(values.role as Role)) {
      throw new UsageError(`--role must be one of admin, readonly, user; got \`${values.role}\``);
    }
    let expiresInMs: number | undefined;
    if (values.expires !== undefined) {
      expiresInMs = parseDuration(values.expires);
      if (expiresInMs === undefined || expiresInMs <= 0) {
        throw new UsageError(
          `--expires must be a duration such as 30d, 12h or 90m; got \`${values.expires}\``,
        );
      }
      const tooLong = durationBoundProblem(expiresInMs);
      if (tooLong !== undefined) throw new UsageError(`--expires ${tooLong}; got \`${values.expires}\``);
    }
    run = (admin, context) =>
      create(admin, context, {
        name,
        role: values.role as Role | undefined,
        actorId: values.actor,
        expiresInMs,
      });
  } else if (subcommand === "list") {
    only(values, "list", ["actor", "json"]);
    run = (admin, context) => list(admin, context, values.actor);
  } else {
    only(values, "revoke", ["json"]);
    if (rest.length !== 1) throw new UsageError("`tokens revoke` takes exactly one token id (tok_…)");
    run = (admin, context) => revoke(admin, context, rest[0]!);
  }

  const opened = await openCommandStore("tollgate tokens", values.config, io);
  if (typeof opened === "number") return opened;
  const { config, store } = opened;
  const context: Context = { io, json: values.json === true, config };
  try {
    return await run(new AccessAdmin(store), context);
  } catch (error) {
    if (error instanceof AccessError) {
      io.stderr(`tollgate tokens ${subcommand}: ${error.message}\n`);
      return exitCode.failed;
    }
    throw error;
  } finally {
    await store.close();
  }
}

interface Context {
  io: CommandIO;
  json: boolean;
  config: TollgateConfig | undefined;
}

async function create(
  admin: AccessAdmin,
  { io, json }: Context,
  input: {
    name: string;
    role: Role | undefined;
    actorId: string | undefined;
    expiresInMs: number | undefined;
  },
): Promise<number> {
  const created = await admin.createToken(input, null);
  if (json) {
    io.stdout(`${JSON.stringify({ id: created.id, actorId: created.actorId, token: created.token })}\n`);
  } else {
    const expiry = created.expiresAt ? `, expires ${created.expiresAt}` : "";
    io.stdout(
      `Created token ${created.id} for actor ${created.actorId}${expiry}.\nIt is shown only this once; keep it safe:\n\n  ${created.token}\n\n`,
    );
  }
  return exitCode.ok;
}

async function list(admin: AccessAdmin, { io, json }: Context, actorId: string | undefined): Promise<number> {
  const tokens = await admin.listTokens({ actorId });
  if (json) {
    io.stdout(`${JSON.stringify({ tokens })}\n`);
    return exitCode.ok;
  }
  if (tokens.length === 0) {
    io.stdout(actorId ? `No tokens for actor ${actorId}.\n` : "No tokens.\n");
    return exitCode.ok;
  }
  io.stdout(table(tokens));
  return exitCode.ok;
}

function table(tokens: TokenView[]): string {
  const day = (value: string | null) => (value === null ? "-" : value.slice(0, 16).replace("T", " "));
  const rows = [
    ["ID", "NAME", "ACTOR", "HINT", "STATE", "CREATED", "EXPIRES", "LAST USED"],
    ...tokens.map((token) => [
      token.id,
      token.name,
      token.actorId,
      token.hint,
      token.state,
      day(token.createdAt),
      day(token.expiresAt),
      day(token.lastUsedAt),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

async function revoke(admin: AccessAdmin, { io, json, config }: Context, id: string): Promise<number> {
  const { revoked, tokenHash } = await admin.revokeToken(id, null);
  if (revoked && config)
    await announceChange(config, { type: "revoked", hashes: [tokenHash] }, io, "tollgate tokens");
  if (json) io.stdout(`${JSON.stringify({ id, revoked })}\n`);
  else io.stdout(revoked ? `Revoked token ${id}.\n` : `Token ${id} was already revoked.\n`);
  return exitCode.ok;
}
