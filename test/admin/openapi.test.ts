import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/auth/token.js";
import type { Gateway } from "../../src/server/gateway.js";
import { startTestGateway } from "../support/gateway.js";

/**
 * Issue 17's "done means": the OpenAPI document validates and lists every admin route; every admin route refuses
 * user tokens and readonly writes, checked route by route from the document; answers match their schemas.
 */

const tokens = {
  admin: `tg_admin_${randomBytes(12).toString("hex")}`,
  readonly: `tg_ro_${randomBytes(12).toString("hex")}`,
  user: `tg_user_${randomBytes(12).toString("hex")}`,
};

interface Operation {
  "x-tollgate-permission": string;
  parameters: { name: string; in: string; required: boolean }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

let dir: string;
let gateway: Gateway;
let document: Document;

const operations = () =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

/** A path with each `{param}` filled with a value no entity has. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "no-such-entity");

async function call(method: string, path: string, token?: string) {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(method === "GET" || method === "DELETE" ? {} : { "content-type": "application/json" }),
    },
    ...(method === "GET" || method === "DELETE" ? {} : { body: "{}" }),
  });
  const text = await response.text();
  return { status: response.status, text };
}

/** `printRoutes` draws a tree; its lines give back every registered path and its methods. */
function registeredRoutes(tree: string): { path: string; methods: string[] }[] {
  const routes: { path: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth > 0 ? stack[depth - 1]! : "") + match[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    if (match[3]) routes.push({ path, methods: match[3].split(", ").filter((method) => method !== "HEAD") });
  }
  return routes;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-openapi-"));
  const file = join(dir, "tollgate.jsonc");
  await writeFile(
    file,
    JSON.stringify({
      storage: { url: "sqlite::memory:" },
      actors: [
        { id: "root", role: "admin", tokens: [{ sha256: hashToken(tokens.admin) }] },
        { id: "watcher", role: "readonly", tokens: [{ sha256: hashToken(tokens.readonly) }] },
        { id: "dev", role: "user", tokens: [{ sha256: hashToken(tokens.user) }] },
      ],
    }),
  );
  gateway = await startTestGateway({ file, dir });
  const answer = await fetch(`${gateway.url}/admin/api/openapi.json`);
  expect(answer.status).toBe(200);
  document = (await answer.json()) as Document;
});

afterAll(async () => {
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the admin API's OpenAPI document", () => {
  it("is public and a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((document as unknown as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("lists every admin route the gateway serves, and serves every route it lists", () => {
    const served = registeredRoutes(gateway.app.printRoutes({ commonPrefix: false }))
      .filter((route) => route.path.startsWith("/admin/api/"))
      .flatMap((route) =>
        route.methods.map((method) => `${method} ${route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
      );
    const listed = operations().map(({ method, path }) => `${method} ${path}`);
    expect(served.length).toBeGreaterThan(25);
    expect([...listed].sort()).toEqual([...served].sort());
  });

  it("every admin route refuses user tokens, and readonly tokens where it writes (route by route)", async () => {
    const checked: string[] = [];
    for (const { path, method, operation } of operations()) {
      const permission = operation["x-tollgate-permission"];
      expect(["public", "self", "admin:read", "admin:write"]).toContain(permission);
      if (permission !== "admin:read" && permission !== "admin:write") continue;
      const url = concrete(path);
      const asUser = await call(method, url, tokens.user);
      expect(asUser.status, `${method} ${path} as a user`).toBe(403);
      const asReader = await call(method, url, tokens.readonly);
      if (permission === "admin:write") {
        expect(asReader.status, `${method} ${path} as readonly`).toBe(403);
        expect(asReader.text).toContain("readonly tokens may only read");
      } else expect(asReader.status, `${method} ${path} as readonly`).not.toBe(403);
      checked.push(`${method} ${path}`);
    }
    expect(checked.length).toBeGreaterThan(25);
  });

  it("answers of the read routes match their documented schemas", async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: "doc", components: document.components }, "doc");
    let validated = 0;
    for (const { path, method, operation } of operations()) {
      // Routes that need an id or a query value are covered by their own tests.
      if (method !== "GET" || operation.parameters.some((parameter) => parameter.required)) continue;
      const schema = operation.responses["200"]?.content?.["application/json"]?.schema;
      const answer = await call(method, path, tokens.admin);
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(200);
      const valid = ajv.validate(schema as object, JSON.parse(answer.text));
      expect(valid, `${method} ${path}: ${ajv.errorsText()}`).toBe(true);
      validated++;
    }
    expect(validated).toBeGreaterThan(8);
  });
});
