import { z } from "zod";
import { presentedToken } from "../auth/principal.js";
import type { LoadResult } from "../config/index.js";
import { formatProblem } from "../config/index.js";
import { GatewayError } from "../errors/index.js";
import { summarize } from "../proxy/debug-command-latency.js";
import { runAll, timeRequest } from "../proxy/latency-test-request.js";
import { type AdminRoute, adminRoute } from "./admin-route.js";
import type { LiveCatalogue } from "./live-catalogue.js";
import { storableText } from "./text.js";
import { openObject, whoAmI } from "./views.js";

export interface SystemRouteDeps {
  live: LiveCatalogue;
  /** Reads the config file again and applies it (as SIGHUP does); absent on the embedded default. */
  reloadFile?: () => Promise<LoadResult>;
  /** The gateway's own URL, for the latency test's requests. */
  selfUrl: () => string;
}

const latencyBody = z.strictObject({
  model: storableText.min(1, "must not be empty: a model ref or id"),
  requests: z.number().int().min(1).max(50).default(5),
  concurrency: z.number().int().min(1).max(10).default(1),
});

const spread = z.object({
  avg: z.number(),
  min: z.number(),
  p50: z.number(),
  p95: z.number(),
  max: z.number(),
});

/** The caller, the running configuration, and the latency test. */
export function systemRoutes(deps: SystemRouteDeps): AdminRoute[] {
  return [
    adminRoute({
      method: "GET",
      path: "/admin/api/me",
      permission: "self",
      tag: "session",
      summary: "Who the token belongs to and its role (the console's sign-in).",
      response: whoAmI,
      handler: async ({ request }) => {
        const principal = request.principal!;
        return {
          actorId: principal.actorId,
          name: principal.name,
          role: principal.role,
          tokenId: principal.tokenId,
        };
      },
    }),
    adminRoute({
      method: "GET",
      path: "/admin/api/config",
      permission: "admin:read",
      tag: "configuration",
      summary:
        "The effective configuration: the file's settings (secrets shown as <redacted>) and the catalogue with what was added through the API.",
      response: openObject,
      handler: async () => {
        const { config, catalogue, warnings } = deps.live.loaded;
        const stored = deps.live.storedCatalogue;
        // Secrets serialise as "<redacted>" (Secret.toJSON); a round trip through JSON makes that the answer.
        return JSON.parse(
          JSON.stringify({
            settings: {
              ...config,
              // Token hashes are not for showing either: how many each config actor has is enough.
              actors: {
                ...config.actors,
                list: config.actors.list.map((actor) => ({ ...actor, tokens: actor.tokens.length })),
              },
            },
            catalogue: {
              revision: catalogue.revision,
              providers: catalogue.providers.map((provider) => provider.id),
              models: catalogue.models.map((model) => model.ref),
              defaults: catalogue.defaults,
            },
            stored: {
              providers: stored.providers.map((entry) => entry.id),
              models: stored.models.map((entry) => entry.id),
              defaults: stored.defaults,
            },
            warnings: warnings.map(formatProblem),
          }),
        ) as Record<string, unknown>;
      },
    }),
    adminRoute({
      method: "POST",
      path: "/admin/api/config/reload",
      permission: "admin:write",
      tag: "configuration",
      summary:
        "Read the config file again and apply it on this replica, as SIGHUP does; an invalid file is refused and the running one kept.",
      response: z.object({ reloaded: z.literal(true), models: z.number(), warnings: z.array(z.string()) }),
      handler: async () => {
        if (!deps.reloadFile) {
          throw new GatewayError(
            "conflict",
            "this gateway runs on the embedded default (no config file): there is nothing to reload",
          );
        }
        const result = await deps.reloadFile();
        if (!result.ok) {
          const errors = result.problems.filter((problem) => problem.severity === "error");
          throw new GatewayError(
            "invalid_request",
            `the config file is invalid; the running configuration is kept: ${errors.map(formatProblem).join("; ")}`,
          );
        }
        return {
          reloaded: true as const,
          models: deps.live.loaded.catalogue.models.length,
          warnings: result.warnings.map(formatProblem),
        };
      },
    }),
    adminRoute({
      method: "POST",
      path: "/admin/api/latency-test",
      permission: "admin:write",
      tag: "latency test",
      summary:
        "Send short streaming chat requests through this gateway as the caller and time each to its first token and its end (as `tollgate latency-test`).",
      body: latencyBody,
      response: z.object({
        model: z.string(),
        requests: z.number(),
        ok: z.number(),
        failed: z.number(),
        firstError: z.string().optional(),
        ttftMs: spread.optional(),
        totalMs: spread.optional(),
      }),
      handler: async ({ body, request }) => {
        // The caller's own token: the requests count against its limits and budget, like any other.
        const target = {
          url: new URL("/v1/chat/completions", deps.selfUrl()),
          token: presentedToken(request.headers),
          model: body.model,
        };
        const samples = await runAll(
          body.requests,
          body.concurrency,
          () => timeRequest(target),
          () => {},
        );
        return { model: body.model, ...summarize(samples) };
      },
    }),
  ];
}
