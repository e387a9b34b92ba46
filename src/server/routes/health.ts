import type { FastifyInstance } from "fastify";

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
  /**
   * Whether a failure makes the replica unready (default yes). Redis with `failMode: open` does not: the gateway
   * serves on (uncounted), and failing every replica's readiness at once would turn a Redis outage into a full one.
   */
  required?: () => boolean;
}

const checkTimeoutMs = 2_000;

function withTimeout(promise: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `/healthz`: the process is up. `/readyz`: the dependencies it cannot serve without answer; each one's state shown. */
export function registerHealthRoutes(app: FastifyInstance, checks: ReadinessCheck[]): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (request, reply) => {
    const results: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      checks.map(async ({ name, check, required }) => {
        try {
          await withTimeout(check());
          results[name] = "ok";
        } catch (error) {
          if (required?.() ?? true) ready = false;
          results[name] = "unavailable";
          request.log.warn({ check: name, err: error }, "readiness check failed");
        }
      }),
    );
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "unavailable", checks: results });
  });
}
