import { parseArgs } from "node:util";
import type { Explanation } from "../admin/explain.js";
import { features } from "../routing/feature.js";
import { explanationReport } from "./explain-report.js";
import { gatewayUrl } from "./gateway-url.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const help = `Usage: tollgate explain --actor ID --model REF [--feature F] [--url URL] [--token T] [--json]

Asks a running gateway what a request by the actor for the model would meet now, without sending one: how
the model resolves and whether the actor may use it, the provider, endpoint and how it authenticates, the
credential and its key policy row, the limits and their usage, and the verdict. Never shows a key.

Options:
      --actor ID     the actor (from the config or the store)
      --model REF    a model ref, a model id, or \`default\` for the feature's default model
      --feature F    ${features.join(", ")} (default chat): the route and limits the request takes
      --url URL      the gateway (default: $TOLLGATE_URL, else http://127.0.0.1:8080)
      --token T      an admin or readonly token (default: $TOLLGATE_TOKEN)
      --json         print the gateway's answer as JSON
  -h, --help         show this help

Exit code: 0 when the request would be admitted, 1 when it would be refused or the gateway answered with an
error, 2 on usage errors.
`;

interface Options {
  actor?: string | undefined;
  model?: string | undefined;
  feature?: string | undefined;
  url?: string | undefined;
  token?: string | undefined;
  json?: boolean | undefined;
  help?: boolean | undefined;
}

function parse(args: string[]): Options {
  try {
    return parseArgs({
      args,
      options: {
        actor: { type: "string" },
        model: { type: "string" },
        feature: { type: "string" },
        url: { type: "string" },
        token: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function runExplain(args: string[], io: CommandIO): Promise<number> {
  const options = parse(args);
  if (options.help) {
    io.stdout(help);
    return exitCode.ok;
  }
  if (!options.actor) throw new UsageError("needs --actor ID");
  if (!options.model) throw new UsageError("needs --model REF (a model ref, a model id or `default`)");
  if (options.feature !== undefined && !(features as readonly string[]).includes(options.feature)) {
    throw new UsageError(`--feature must be one of ${features.join(", ")}; got \`${options.feature}\``);
  }
  const token = options.token ?? io.env.TOLLGATE_TOKEN;
  if (!token) throw new UsageError("needs an admin or readonly token: --token T or $TOLLGATE_TOKEN");
  const url = gatewayUrl("/admin/api/explain", options.url, io.env);
  url.searchParams.set("actor", options.actor);
  url.searchParams.set("model", options.model);
  if (options.feature) url.searchParams.set("feature", options.feature);

  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    io.stderr(`tollgate explain: cannot reach the gateway at ${url.origin}: ${cause}\n`);
    return exitCode.failed;
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {}
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | undefined)?.error?.message;
    io.stderr(
      `tollgate explain: the gateway answered ${response.status}: ${message ?? text.slice(0, 200)}\n`,
    );
    return exitCode.failed;
  }
  const explanation = body as Explanation;
  io.stdout(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : explanationReport(explanation));
  return explanation.admitted ? exitCode.ok : exitCode.failed;
}
