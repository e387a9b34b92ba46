import { type Catalogue, formatProblem, type LoadResult, type Problem } from "../config/index.js";
import { DEFAULT_CONFIG_FILE, describeSource, findConfig, loadFromSource } from "./config-source.js";

export interface ConfigCheckIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths resolve against it (default: the process's working directory). */
  cwd?: string;
}

const USAGE = `Usage: tollgate config check [FILE] [--json]

Validates a Tollgate config file (or a Sourcegraph site config) and prints its providers, models and default
models, or every problem as \`path: message (line:column)\`.

  FILE     defaults to $TOLLGATE_CONFIG, then ./tollgate.jsonc; without any, the embedded default
           (what \`tollgate serve\` runs with no config file) is checked
  --json   machine-readable output
  --help   this text
`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function summary(file: string, catalogue: Catalogue, warnings: Problem[]): string {
  const providers = [
    ["PROVIDER", "TYPE", "CREDENTIALS", "AVAILABLE"],
    ...catalogue.providers.map((provider) => [
      provider.id,
      provider.type,
      provider.credentialMode + (provider.credentialSource ? ` (${provider.credentialSource})` : ""),
      provider.available ? "yes" : "no",
    ]),
  ];
  const models = [
    ["MODEL", "CAPABILITIES", "STATUS", "CONTEXT", "AVAILABLE"],
    ...catalogue.models.map((model) => [
      model.ref,
      model.capabilities.join(","),
      model.status,
      `${model.contextWindow.maxInputTokens}/${model.contextWindow.maxOutputTokens}`,
      model.available ? "yes" : "no",
    ]),
  ];
  const defaults = catalogue.defaults;
  const lines = [
    `${file}: OK`,
    "",
    table(providers),
    "",
    table(models),
    "",
    `default chat:           ${defaults.chat ?? "(none)"}`,
    `default fastChat:       ${defaults.fastChat ?? "(none)"}`,
    `default codeCompletion: ${defaults.codeCompletion ?? "(none)"}`,
  ];
  if (warnings.length > 0)
    lines.push("", `${warnings.length} warning(s):`, ...warnings.map((w) => `warning: ${formatProblem(w)}`));
  return `${lines.join("\n")}\n`;
}

function toJson(file: string, result: LoadResult) {
  if (!result.ok) return { file, ok: false, problems: result.problems };
  const { catalogue } = result;
  return {
    file,
    ok: true,
    warnings: result.warnings,
    providers: catalogue.providers.map((provider) => ({
      id: provider.id,
      displayName: provider.displayName,
      type: provider.type,
      credentialMode: provider.credentialMode,
      credentialSource: provider.credentialSource,
      available: provider.available,
    })),
    models: catalogue.models.map((model) => ({
      ref: model.ref,
      capabilities: model.capabilities,
      status: model.status,
      contextWindow: model.contextWindow,
      available: model.available,
    })),
    defaults: catalogue.defaults,
  };
}

/** `tollgate config check [FILE] [--json]`: exit 0 valid, 1 invalid, 2 usage error. */
export async function runConfigCheck(args: string[], io: ConfigCheckIo): Promise<number> {
  let json = false;
  const files: string[] = [];
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") {
      io.stdout.write(USAGE);
      return 0;
    }
    if (arg === "--json") json = true;
    else if (arg.startsWith("-")) {
      io.stderr.write(`unknown option ${arg}\n\n${USAGE}`);
      return 2;
    } else files.push(arg);
  }
  if (files.length > 1) {
    io.stderr.write(`expected at most one FILE, got ${files.length}\n\n${USAGE}`);
    return 2;
  }
  const source = await findConfig(files[0], io.env, io.cwd ?? process.cwd());
  const file = source.kind === "file" ? source.path : `(embedded default: no ./${DEFAULT_CONFIG_FILE})`;
  if (!json) io.stderr.write(`checking ${describeSource(source)}\n`);
  const result = await loadFromSource(source, io.env);
  if (json) {
    io.stdout.write(`${JSON.stringify(toJson(file, result), null, 2)}\n`);
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    io.stdout.write(summary(file, result.catalogue, result.warnings));
    return 0;
  }
  const errors = result.problems.filter((problem) => problem.severity === "error");
  const lines = result.problems.map(
    (problem) => `${problem.severity === "error" ? "" : "warning: "}${formatProblem(problem)}`,
  );
  io.stderr.write(`${file}: ${errors.length} error(s)\n${lines.join("\n")}\n`);
  return 1;
}
