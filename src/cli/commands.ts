import { readFileSync } from "node:fs";
import { type CommandIO, exitCode, UsageError } from "./io.js";

type Command = (args: string[], io: CommandIO) => Promise<number>;

// Commands load lazily so `tollgate --help` does not pay for the server's imports.
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: "run the gateway", load: async () => (await import("./serve.js")).runServe },
  config: {
    summary: "config check [FILE]: validate a config file",
    load: async () => (await import("./config.js")).runConfig,
  },
  tokens: {
    summary: "create|list|revoke access tokens",
    load: async () => (await import("./tokens.js")).runTokens,
  },
  actors: {
    summary: "list|show|create|set|disable|enable|delete actors: roles, allowed models, limits, budgets",
    load: async () => (await import("./actors.js")).runActors,
  },
  migrate: {
    summary: "apply database migrations",
    load: async () => (await import("./migrate.js")).runMigrate,
  },
  secrets: {
    summary: "rotate|generate-key: the master key of stored provider keys",
    load: async () => (await import("./secrets.js")).runSecrets,
  },
  explain: {
    summary: "what a request by an actor for a model would meet now (a running gateway)",
    load: async () => (await import("./explain.js")).runExplain,
  },
  "latency-test": {
    summary: "time N short streaming requests to a model's first token (a running gateway)",
    load: async () => (await import("./latency-test.js")).runLatencyTest,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`);
  return `Usage: tollgate <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`tollgate <command> --help\` for a command's options.\n`;
}

function version(): string {
  const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return packageJson.version;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name ? exitCode.ok : exitCode.usage;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${version()}\n`);
    return exitCode.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`tollgate: unknown command \`${name}\`\n\n${usage()}`);
    return exitCode.usage;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tollgate ${name}: ${error.message}\n`);
      return exitCode.usage;
    }
    throw error;
  }
}
