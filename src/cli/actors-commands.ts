import { type AccessAdmin, AccessError, type ActorView } from "../auth/access-admin.js";
import type { TollgateConfig } from "../config/index.js";
import type { Store } from "../store/index.js";
import type { ActorEdit } from "./actors-flags.js";
import { actorDetails, actorTable } from "./actors-format.js";
import { actorChangesInput, newActorInput, validated } from "./actors-input.js";
import { withFeatureEdit } from "./actors-limit-edit.js";
import { announceChange } from "./announce-change.js";
import type { ConfigSource } from "./config-source.js";
import { type CommandIO, exitCode } from "./io.js";

/** The subcommands of `tollgate actors`, each on an open store; AccessAdmin audits and bumps the revision. */

export type ActorCommand = "list" | "show" | "create" | "set" | "disable" | "enable" | "delete";

export interface CommandContext {
  io: CommandIO;
  json: boolean;
  config: TollgateConfig;
  source: ConfigSource;
  store: Store;
}

interface Target {
  /** The actor named on the command line (all but list and create). */
  id: string | undefined;
  /** The change flags of create and set. */
  edit: ActorEdit | undefined;
}

type Run = (admin: AccessAdmin, context: CommandContext, target: Target) => Promise<number>;

/** Audit entries name no author for the CLI (`null`, the system), as `tollgate tokens` does. */
const CLI = null;

/** The config file that defines this actor, if the command's config does; its actors are read-only here. */
function configFileOf({ config, source }: CommandContext, id: string): string | undefined {
  if (source.kind !== "file" || !config.actors.list.some((actor) => actor.id === id)) return undefined;
  return source.path;
}

/** Config actors are refused naming their file (AccessAdmin's own refusal cannot know which file). */
function refuseConfigActor(context: CommandContext, id: string): void {
  const file = configFileOf(context, id);
  if (file === undefined) return;
  throw new AccessError(
    "read_only",
    `actor \`${id}\` is defined in the config file ${file}; change it there (\`tollgate tokens create --actor ${id}\` can still give it tokens)`,
    "id",
  );
}

/** AccessAdmin's refusal of an actor the store has from a config file that this command's config is not. */
function readOnlyElsewhere(context: CommandContext, id: string): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof AccessError) || error.kind !== "read_only") throw error;
    const file = context.source.kind === "file" ? context.source.path : "the embedded default config";
    throw new AccessError(
      "read_only",
      `actor \`${id}\` comes from a gateway's config file, though ${file} does not define it; change it in that file`,
      "id",
    );
  };
}

function printActor(context: CommandContext, actor: ActorView, headline: string): number {
  if (context.json) context.io.stdout(`${JSON.stringify(actor)}\n`);
  else context.io.stdout(`${headline}\n${actorDetails(actor)}`);
  return exitCode.ok;
}

/** A disabled actor's tokens must stop at once, as a revocation does (the admin API's PATCH does the same). */
async function announceUpdate(context: CommandContext, actor: ActorView): Promise<void> {
  const hashes =
    actor.status === "disabled"
      ? (await context.store.tokens.list({ actorId: actor.id, activeOnly: true })).map(
          (token) => token.tokenHash,
        )
      : [];
  await announceChange(
    context.config,
    hashes.length > 0 ? { type: "revoked", hashes } : { type: "changed" },
    context.io,
    "tollgate actors",
  );
}

const list: Run = async (admin, { io, json }) => {
  const actors = await admin.listActors();
  if (json) io.stdout(`${JSON.stringify({ actors })}\n`);
  else io.stdout(actors.length === 0 ? "No actors.\n" : actorTable(actors));
  return exitCode.ok;
};

const show: Run = async (admin, context, { id }) => {
  const actor = await admin.getActor(id!).catch((error: unknown) => {
    const file = configFileOf(context, id!);
    if (!(error instanceof AccessError) || error.kind !== "not_found" || file === undefined) throw error;
    throw new AccessError(
      "not_found",
      `actor \`${id}\` is in the config file ${file} but not yet in the store; a gateway started with that file adds it`,
      "id",
    );
  });
  if (context.json) {
    context.io.stdout(`${JSON.stringify(actor)}\n`);
    return exitCode.ok;
  }
  const tokens: Record<string, number> = {};
  for (const token of await admin.listTokens({ actorId: actor.id })) {
    tokens[token.state] = (tokens[token.state] ?? 0) + 1;
  }
  context.io.stdout(actorDetails(actor, tokens));
  return exitCode.ok;
};

const create: Run = async (admin, context, { edit }) => {
  const fields = { ...edit!.fields };
  if (typeof fields.id === "string") refuseConfigActor(context, fields.id);
  if (edit!.feature) fields.limits = withFeatureEdit(null, edit!.feature);
  const actor = await admin.createActor(validated(newActorInput, fields), CLI);
  await announceChange(context.config, { type: "changed" }, context.io, "tollgate actors");
  return printActor(context, actor, `Created actor ${actor.id}.`);
};

const set: Run = async (admin, context, { id, edit }) => {
  refuseConfigActor(context, id!);
  const fields = { ...edit!.fields };
  if (edit!.feature) fields.limits = withFeatureEdit((await admin.getActor(id!)).limits, edit!.feature);
  const actor = await admin
    .updateActor(id!, validated(actorChangesInput, fields), CLI)
    .catch(readOnlyElsewhere(context, id!));
  await announceUpdate(context, actor);
  return printActor(context, actor, `Updated actor ${actor.id}.`);
};

function setStatus(status: "active" | "disabled"): Run {
  return async (admin, context, { id }) => {
    refuseConfigActor(context, id!);
    const actor = await admin.updateActor(id!, { status }, CLI).catch(readOnlyElsewhere(context, id!));
    await announceUpdate(context, actor);
    const headline =
      status === "disabled"
        ? `Disabled actor ${actor.id}: its tokens are refused.`
        : `Enabled actor ${actor.id}.`;
    return printActor(context, actor, headline);
  };
}

const remove: Run = async (admin, context, { id }) => {
  refuseConfigActor(context, id!);
  const { tokenHashes } = await admin.deleteActor(id!, CLI).catch(readOnlyElsewhere(context, id!));
  await announceChange(
    context.config,
    tokenHashes.length > 0 ? { type: "revoked", hashes: tokenHashes } : { type: "changed" },
    context.io,
    "tollgate actors",
  );
  if (context.json) context.io.stdout(`${JSON.stringify({ id, deleted: true })}\n`);
  else {
    const tokens = tokenHashes.length === 1 ? "1 token" : `${tokenHashes.length} tokens`;
    context.io.stdout(`Deleted actor ${id} and its ${tokens}.\n`);
  }
  return exitCode.ok;
};

export const actorCommands: Record<ActorCommand, Run> = {
  list,
  show,
  create,
  set,
  disable: setStatus("disabled"),
  enable: setStatus("active"),
  delete: remove,
};
