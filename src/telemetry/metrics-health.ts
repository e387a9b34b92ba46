import { Gauge, type Registry } from "prom-client";

/** A dependency's readiness check (the same ones `/readyz` runs). */
export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
}

/** Short: a scrape must answer within Prometheus' timeout (10 s by default) even when every check hangs. */
const defaultTimeoutMs = 500;

function passes(check: () => Promise<void>, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(0), timeoutMs);
  });
  const run = check().then(
    () => 1,
    () => 0,
  );
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

/** `tollgate_dependency_up{dependency}`: 1 when the check passed at scrape time, else 0. */
export function dependencyGauge(
  registry: Registry,
  checks: HealthCheck[],
  timeoutMs = defaultTimeoutMs,
): void {
  new Gauge({
    name: "tollgate_dependency_up",
    help: "Whether a dependency (store, redis) answered its readiness check at scrape time (1) or not (0).",
    labelNames: ["dependency"],
    registers: [registry],
    // Summed over the workers of one replica it would count them; up means every worker's check passed.
    aggregator: "min",
    async collect() {
      const results = await Promise.all(
        checks.map(async ({ name, check }) => ({ name, up: await passes(check, timeoutMs) })),
      );
      for (const { name, up } of results) this.set({ dependency: name }, up);
    },
  });
}
