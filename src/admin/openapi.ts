import { z } from "zod";
import type { AdminRoute } from "./admin-route.js";

type JsonSchema = Record<string, unknown>;

/** The error answer of every admin route (the OpenAI shape). */
const errorBody = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.string().nullable(),
    param: z.string().nullable(),
  }),
});

/** Input as a client writes it (before transforms); what zod cannot express becomes an open schema. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });
  const { $schema: _dropped, ...rest } = converted as JsonSchema;
  return rest;
}

/** Query and path parameters from an object schema's properties. */
function parameters(schema: z.ZodType | undefined, where: "path" | "query"): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, "input");
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      schema: rest,
      ...(typeof description === "string" ? { description } : {}),
    };
  });
}

/** Which failures a route can answer with, from what it reads and who may call it. */
function errorStatuses(route: AdminRoute): number[] {
  const statuses = new Set<number>();
  if (route.params || route.query || route.body) statuses.add(400);
  if (route.permission !== "public") statuses.add(401);
  if (route.permission === "admin:read" || route.permission === "admin:write") statuses.add(403);
  if (route.params) statuses.add(404);
  if (route.method !== "GET") statuses.add(409);
  if (route.body) statuses.add(413);
  if (route.permission !== "public") statuses.add(503);
  return [...statuses].sort();
}

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input; `error.param` names the field.",
  401: "No token, or one that is not valid.",
  403: "The token's role may not do this (readonly tokens only read; user tokens are refused).",
  404: "No such entity.",
  409: "The change conflicts with the current state (an entity from the config file, one in use, a duplicate).",
  413: "The body is larger than `server.bodyLimit`.",
  503: "The store cannot be reached (tokens not yet known to this replica cannot be checked).",
};

/** `/admin/api/actors/:id` → `/admin/api/actors/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/**
 * The OpenAPI 3.1 document of the admin API, generated from the same declarations that register the routes, so
 * it lists every route with its permission (`x-tollgate-permission`), input and answer.
 */
export function openApiDocument(routes: readonly AdminRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const status = String(route.status ?? 200);
    const content: Record<string, JsonSchema> = {
      "application/json": { schema: jsonSchema(route.response, "output") },
    };
    for (const type of route.alsoProduces ?? []) content[type] = { schema: { type: "string" } };
    const responses: Record<string, JsonSchema> = { [status]: { description: "Success.", content } };
    for (const code of errorStatuses(route)) {
      responses[String(code)] = {
        description: ERROR_TEXT[code],
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      operationId: operationId(route),
      "x-tollgate-permission": route.permission,
      ...(route.permission === "public" ? { security: [] } : {}),
      parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(route.body, "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tollgate admin API",
      version,
      description:
        "Providers, models, actors and tokens, usage, the audit log and the running configuration. Tokens go in `Authorization: Bearer`. Roles: admin (read and write), readonly (reads), user (its own account only).",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: { Error: jsonSchema(errorBody, "output") },
    },
    paths,
  };
}

/** `GET /admin/api/actors/:id` → `getActorsById`: unique, stable, readable. */
function operationId(route: AdminRoute): string {
  const words = route.path
    .replace(/^\/admin\/api\//, "")
    .split(/[/.-]/)
    .filter((word) => word !== "")
    .map((word) => (word.startsWith(":") ? `By ${word.slice(1)}` : word));
  const camel = words
    .join(" ")
    .split(" ")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
  return route.method.toLowerCase() + camel;
}
