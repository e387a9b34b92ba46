import { parseArgs } from "node:util";
import {
  type LatencySample,
  type LatencySummary,
  latencyReport,
  summarize,
} from "../proxy/debug-command-latency.js";
import { latencyPrompt, runAll, timeRequest } from "../proxy/latency-test-request.js";
import { gatewayUrl } from "./gateway-url.js";
import { type CommandIO, exitCode, UsageError } from "./io.js";

const help = `Usage: tollgate latency-test --model REF [-n N] [--concurrency C] [--url URL] [--token T] [--json]

Sends N short streaming chat requests (OpenAI chat completions, "${latencyPrompt}", at most 16 output
tokens) through a running gateway, C at a time, and times each to its first streamed token (the first chunk
with content, not the one that only names the role) and to the end of its stream. Prints ok/N and, for both
times, the average, minimum, p50, p95 and maximum in milliseconds; failures are counted and the first one's
status and message shown. A request that takes longer than 120 s counts as failed.

Options:
      --model REF        the model (a model ref or id, as a client would send it)
  -n, --requests N       how many requests (default 10, at most 10000)
      --concurrency C    how many at a time (default 1)
      --url URL          the gateway (default: $TOLLGATE_URL, else http://127.0.0.1:8080)
      --token T          an access token (default: $TOLLGATE_TOKEN)
      --json             print the numbers as JSON
  -h, --help             show this help

Exit code: 0 when every request succeeded, 1 when any failed, 2 on usage errors.
`;

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        model: { type: "string" },
        requests: { type: "string", short: "n" },
        concurrency: { type: "string" },
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

function count(flag: string, value: string | undefined, fallback: number, most: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > most) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${most}; got \`${value}\``);
  }
  return number;
}

/** A bar redrawn in place on a terminal; nothing when stderr is not one (logs keep only the summary). */
function progress(io: CommandIO, total: number, enabled: boolean) {
  const width = 30;
  const draw = (done: number, failed: number) => {
    const filled = Math.round((done / total) * width);
    const failures = failed > 0 ? `, ${failed} failed` : "";
    io.stderr(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}${failures}\x1b[K`);
  };
  return {
    update: enabled ? draw : () => {},
    clear: () => enabled && io.stderr("\r\x1b[K"),
  };
}

export async function runLatencyTest(args: string[], io: CommandIO): Promise<number> {
  const options = parse(args);
  if (options.help) {
    io.stdout(help);
    return exitCode.ok;
  }
  if (!options.model) throw new UsageError("needs --model REF (a model ref or id)");
  const requests = count("-n", options.requests, 10, 10_000);
  const concurrency = count("--concurrency", options.concurrency, 1, 1000);
  const url = gatewayUrl("/v1/chat/completions", options.url, io.env);
  const target = { url, token: options.token ?? io.env.TOLLGATE_TOKEN, model: options.model };

  // CommandIO describes stdout only; the bar goes to stderr, so it is drawn when that is a terminal.
  const bar = progress(io, requests, process.stderr.isTTY === true && !options.json);
  const samples = await runAll(requests, concurrency, () => timeRequest(target), bar.update);
  bar.clear();
  const summary = summarize(samples);
  io.stdout(
    options.json ? json(summary, target.model, url.origin, concurrency, samples) : text(summary, target),
  );
  return summary.failed === 0 ? exitCode.ok : exitCode.failed;
}

function text(summary: LatencySummary, target: { model: string; url: URL }): string {
  return `latency test: ${target.model} through ${target.url.origin}\n\n${latencyReport(summary)}`;
}

function json(
  summary: LatencySummary,
  model: string,
  url: string,
  concurrency: number,
  samples: LatencySample[],
): string {
  return `${JSON.stringify({ model, url, concurrency, ...summary, samples }, null, 2)}\n`;
}
