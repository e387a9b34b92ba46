// Command-line flags of `npm run bench` (see bench/README.md).
import { SCENARIOS } from "./scenarios.js";

export interface CliOptions {
  scenarios: Set<string>;
  durationS: number;
  quick: boolean;
  soakS: number | undefined;
  soakIntervalS: number | undefined;
  soakRate: number | undefined;
  targets: Set<string>;
  connections: number;
  holdStreams: number;
  holdS: number;
  strict: boolean;
  autocannonRate: boolean;
  chunkDelayMs: number;
  rounds: number;
  /** Workers of the gateway in the chat-max-workers scenario. */
  workers: number;
  /** A commit to build and measure beside this checkout (the chat-max-compare scenario). */
  compare: string | undefined;
}

export const HELP = `Usage: npm run bench -- [options]   (or: node --experimental-strip-types --import=./scripts/ts-imports.mjs bench/run.ts [options])

  --scenarios a,b     ${SCENARIOS.join(", ")} (default: all)
  --duration 10s      length of each rate measurement (default 10s; --quick 3s)
  --quick             smoke run: 3 s measurements, 500 held streams for 5 s, fewer streams
  --targets a,b       direct, bare, tollgate (default: all three)
  --gateway-only      same as --targets tollgate
  --connections 50    connections for the maximum-rate runs
  --rounds 3          bare and tollgate measured back to back this many times for the §7 checks
                      (chat-max and the half-peak rate), and bedrock-rate's three routes; the verdict
                      and the route figures are medians (--quick: 1)
  --workers 2         worker processes of the gateway in chat-max-workers (serve --workers N, limits
                      in Redis), compared with the same gateway in one process
  --compare REV       also build REV (a commit, tag or branch) in a temporary git worktree and measure its
                      gateway beside this one and the bare proxy in every round (chat-max-compare): the
                      per-round ratio of the two builds is the figure for a change, as runs drift
  --chunk-delay 0     ms between the records of the stream and translated scenarios (0: one event-loop turn)
  --streams 5000      streams held open by the hold scenario
  --hold 30s          how long the hold scenario keeps them open
  --soak 1h           soak mode: only a long moderate load, RSS sampled every --soak-interval
  --soak-interval 60s sample interval in soak mode (default: duration / 12, between 5 s and 60 s)
  --soak-rate N       offered req/s in soak mode (default: half of a 3 s peak measurement)
  --autocannon-rate   fixed rates with autocannon's overallRate (bursty: each connection sends its
                      per-second quota at once) instead of the evenly paced undici client
  --strict            exit 1 when a DESIGN §7 target FAILs
`;

/** `10s`, `500ms`, `5m`, `1h` or a number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}" (use e.g. 500ms, 10s, 5m, 1h)`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? "s"] ?? 1;
  return Number(match[1]) * unit;
}

function list(text: string, allowed: readonly string[], flag: string): Set<string> {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) throw new Error(`${flag}: unknown "${item}" (one of ${allowed.join(", ")})`);
  }
  return new Set(items);
}

export function parseArgs(argv: string[]): CliOptions | "help" {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const known = [
    "--scenarios",
    "--duration",
    "--soak",
    "--soak-interval",
    "--soak-rate",
    "--targets",
    "--connections",
    "--streams",
    "--chunk-delay",
    "--hold",
    "--rounds",
    "--workers",
    "--compare",
  ];
  const boolean = new Set(["--quick", "--gateway-only", "--strict", "--autocannon-rate", "--help", "-h"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    if (boolean.has(name)) flags.add(name);
    else if (name.startsWith("--")) {
      if (!known.includes(name)) throw new Error(`unknown option ${name}`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${name} needs a value`);
      values.set(name, value);
    } else throw new Error(`unexpected argument "${arg}"`);
  }
  if (flags.has("--help") || flags.has("-h")) return "help";
  const quick = flags.has("--quick");
  const num = (name: string, fallback: number): number => {
    const value = values.get(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
    return n;
  };
  const duration = (name: string): number | undefined => {
    const value = values.get(name);
    return value === undefined ? undefined : parseDuration(value);
  };
  const targets = flags.has("--gateway-only")
    ? new Set(["tollgate"])
    : list(values.get("--targets") ?? "direct,bare,tollgate", ["direct", "bare", "tollgate"], "--targets");
  const soakRate = values.has("--soak-rate") ? num("--soak-rate", 1) : undefined;
  return {
    scenarios: list(values.get("--scenarios") ?? SCENARIOS.join(","), SCENARIOS, "--scenarios"),
    durationS: duration("--duration") ?? (quick ? 3 : 10),
    quick,
    soakS: duration("--soak"),
    soakIntervalS: duration("--soak-interval"),
    soakRate,
    targets,
    connections: num("--connections", 50),
    holdStreams: num("--streams", quick ? 500 : 5_000),
    holdS: duration("--hold") ?? (quick ? 5 : 30),
    strict: flags.has("--strict"),
    autocannonRate: flags.has("--autocannon-rate"),
    chunkDelayMs: Math.max(0, Number(values.get("--chunk-delay") ?? 0)) || 0,
    rounds: num("--rounds", quick ? 1 : 3),
    workers: num("--workers", 2),
    compare: values.get("--compare"),
  };
}
