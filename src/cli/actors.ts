import { parseArgs } from "node:util";
import { AccessAdmin, AccessError } from "../auth/access-admin.js";
import { type ActorCommand, actorCommands, type CommandContext } from "./actors-commands.js";
import { type ActorEdit, actorEdit, type ChangeFlags } from "./actors-flags.js";
import { isActorId } from "./actors-input.js";
import { openCommandStore } from "./command-store.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const help = `Usage: tollgate actors <list|show|create|set|disable|enable|delete> [options]

Manages actors (who tokens belong to: role, allowed models, limits, budget) in the store directly; a running
gateway applies a change within a second. Actors defined in the config file are read-only here: change them
in the file.

  tollgate actors list [--json]
      Every actor: id, name, role, status, source, allowed models, limits and budget.
  tollgate actors show ID [--json]
  tollgate actors create --name NAME [--id ID] [--role admin|readonly|user] [CHANGES] [--json]
      Without --id, the id is made from the name (\`CI bot\` → ci-bot). The role defaults to user.
  tollgate actors set ID CHANGES [--json]
  tollgate actors disable ID | enable ID | delete ID [--json]
      A disabled actor's tokens are refused; delete also removes its tokens and its stored provider keys.

Changes (set; create takes all but the --clear-* ones):
      --name NAME
      --role admin|readonly|user
      --status active|disabled
      --allowed-models GLOB,…   the model refs it may use, e.g. 'anthropic::*,*::gpt-4o*'
      --clear-allowed-models    every model
      --budget USD/PERIOD       a spending cap per day, week or month: 25/month, or JSON {"usd":25,"period":"month"}
      --clear-budget            no budget
      --limits JSON|@FILE       all its limits at once, as an actor's \`limits\` in the config file:
                                '{"chat":{"requests":60,"interval":"1m","concurrent":4},"*":{"tokens":100000,"interval":"1d"}}'
      --clear-limits            no limits of its own: limits.defaults apply
      --feature F               change one feature's limit (chat, fastChat, codeCompletion, embeddings, or * for
                                every feature without its own), keeping the fields not given:
        --requests N[/INTERVAL]   requests per interval, e.g. 60/1m
        --tokens N[/INTERVAL]     tokens per interval, e.g. 100000/1d (requests and tokens share one interval)
        --concurrent N            requests at once
        --clear-limits            remove the feature's limit

Options:
  -c, --config FILE  the gateway's config file, to find its store (default: $TOLLGATE_CONFIG, else
                     ./tollgate.jsonc, else the embedded default store .tollgate/tollgate.db)
      --json         machine-readable output: the actor as the admin API shows it ({"actors": […]} for list)
  -h, --help         show this help
`;

interface Options extends ChangeFlags {
  config?: string | undefined;
  json?: boolean | undefined;
  id?: string | undefined;
  help?: boolean | undefined;
}

const text = { type: "string" } as const;
const flag = { type: "boolean" } as const;

function parse(args: string[]): { values: Options; positionals: string[] } {
  try {
    return parseArgs({
      args,
      options: {
        config: { type: "string", short: "c" },
        json: flag,
        help: { type: "boolean", short: "h" },
        id: text,
        name: text,
        role: text,
        status: text,
        "allowed-models": text,
        "clear-allowed-models": flag,
        limits: text,
        "clear-limits": flag,
        budget: text,
        "clear-budget": flag,
        feature: text,
        requests: text,
        tokens: text,
        concurrent: text,
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const CHANGE_FLAGS: (keyof Options)[] = [
  "name",
  "role",
  "status",
  "allowed-models",
  "clear-allowed-models",
  "limits",
  "clear-limits",
  "budget",
  "clear-budget",
  "feature",
  "requests",
  "tokens",
  "concurrent",
];

/** The flags each subcommand takes besides --config and --help. */
const FLAGS: Record<ActorCommand, (keyof Options)[]> = {
  list: ["json"],
  show: ["json"],
  create: ["id", ...CHANGE_FLAGS, "json"],
  set: [...CHANGE_FLAGS, "json"],
  disable: ["json"],
  enable: ["json"],
  delete: ["json"],
};

function isCommand(name: string): name is ActorCommand {
  return Object.hasOwn(FLAGS, name);
}

function checkFlags(values: Options, subcommand: ActorCommand): void {
  for (const key of Object.keys(values) as (keyof Options)[]) {
    if (values[key] === undefined || key === "config" || key === "help") continue;
    if (!FLAGS[subcommand].includes(key))
      throw new UsageError(`\`actors ${subcommand}\` does not take --${key}`);
  }
}

/** The actor id a subcommand names, when it names one. */
function target(subcommand: ActorCommand, rest: string[]): string | undefined {
  if (subcommand === "list" || subcommand === "create") {
    if (rest.length > 0) throw new UsageError(`unexpected argument \`${rest[0]}\``);
    return undefined;
  }
  if (rest.length !== 1) throw new UsageError(`\`actors ${subcommand}\` takes exactly one actor id`);
  return rest[0]!;
}

export async function runActors(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(args);
  const [subcommand, ...rest] = positionals;
  if (values.help || subcommand === undefined) {
    io.stdout(help);
    return values.help ? exitCode.ok : exitCode.usage;
  }
  if (!isCommand(subcommand)) {
    throw new UsageError(
      `unknown subcommand \`${subcommand}\`; expected list, show, create, set, disable, enable or delete`,
    );
  }
  checkFlags(values, subcommand);
  const id = target(subcommand, rest);
  if (subcommand === "create" && !values.name?.trim())
    throw new UsageError("`actors create` needs --name NAME");
  if (subcommand === "set" && !CHANGE_FLAGS.some((key) => values[key] !== undefined)) {
    throw new UsageError(
      "`actors set` needs a change: --name, --role, --status, --allowed-models, --limits, --feature, --budget or a --clear-* flag",
    );
  }

  const failed = (message: string) => {
    io.stderr(`tollgate actors ${subcommand}: ${message}\n`);
    return exitCode.failed;
  };
  if (id !== undefined && !isActorId(id)) {
    return failed(`\`${id}\` is not an actor id (letters, digits, \`.\`, \`_\` and \`-\`, at most 128)`);
  }
  let edit: ActorEdit | undefined;
  try {
    if (subcommand === "create" || subcommand === "set") {
      edit = await actorEdit(values, io.cwd, subcommand === "create");
      if (values.id !== undefined) edit.fields.id = values.id;
    }
  } catch (error) {
    if (error instanceof AccessError) return failed(error.message);
    throw error;
  }

  const opened = await openCommandStore("tollgate actors", values.config, io);
  if (typeof opened === "number") return opened;
  const { source, config, store } = opened;
  const context: CommandContext = { io, json: values.json === true, config, source, store };
  try {
    return await actorCommands[subcommand](new AccessAdmin(store), context, { id, edit });
  } catch (error) {
    if (error instanceof AccessError) return failed(error.message);
    throw error;
  } finally {
    await store.close();
  }
}
