/**
 * Inputs for the property-based fuzzing (fast-check) of the request parsers, translators and stream decoders:
 * the recorded client requests (test/fixtures/clients) and mutations of them (a field dropped, a value of
 * another type, a value nested deeper), and hand-written valid bodies for routes no client was recorded on.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

/** Runs per property: enough to find shallow crashes in a few seconds on a busy machine. */
export const fuzzRuns = 300;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Body = Record<string, Json>;

const clientsDir = resolve(fileURLToPath(new URL("../fixtures/clients/", import.meta.url)));

/** The recorded request bodies of one client route (`/v1/messages`, `/v1/responses`…). */
export function recordedBodies(path: string): Body[] {
  return readdirSync(clientsDir)
    .filter((name) => name.endsWith(".json"))
    .map(
      (name) =>
        JSON.parse(readFileSync(resolve(clientsDir, name), "utf8")) as {
          request: { path: string; body: unknown };
        },
    )
    .filter((recording) => recording.request.path.split("?")[0] === path)
    .map((recording) => recording.request.body as Body);
}

/** Every path to a value inside `value` (object keys and array indexes), the root excluded. */
function paths(value: Json, at: Array<string | number> = [], into: Array<Array<string | number>> = []) {
  if (Array.isArray(value))
    value.forEach((item, index) => {
      into.push([...at, index]);
      paths(item, [...at, index], into);
    });
  else if (value !== null && typeof value === "object")
    for (const [key, item] of Object.entries(value)) {
      into.push([...at, key]);
      paths(item, [...at, key], into);
    }
  return into;
}

type Mutation = "drop" | "replace" | "nest-array" | "nest-object" | "empty";

function mutate(body: Body, path: Array<string | number>, mutation: Mutation, value: Json): Body {
  const copy = structuredClone(body);
  let parent: Json = copy;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step] as Json;
  const last = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, Json>;
  const current = container[last] as Json;
  if (mutation === "drop") {
    if (Array.isArray(container) && typeof last === "number") container.splice(last, 1);
    else delete container[last];
  } else if (mutation === "replace") container[last] = value;
  else if (mutation === "nest-array") container[last] = [current];
  else if (mutation === "nest-object") container[last] = { value: current };
  else container[last] = Array.isArray(current) ? [] : typeof current === "string" ? "" : {};
  return copy;
}

/** Wrong-typed values a careless client sends, beside fast-check's arbitrary JSON. */
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(null, "", [], {}, -1, 0, 1e308, 2 ** 53 + 1, "NaN", "__proto__", {
    __proto__: null,
  } as Json),
);

/** One mutation of one of `bodies`. */
export function mutatedBody(bodies: Body[]): fc.Arbitrary<Body> {
  const withPaths = bodies.map((body) => ({ body, paths: paths(body) }));
  return fc
    .record({
      source: fc.constantFrom(...withPaths),
      pick: fc.nat(),
      mutation: fc.constantFrom<Mutation>("drop", "replace", "nest-array", "nest-object", "empty"),
      value: oddValue,
    })
    .map(({ source, pick, mutation, value }) => {
      const path = source.paths[pick % source.paths.length];
      return path ? mutate(source.body, path, mutation, value) : source.body;
    });
}

/** A few mutations in a row. */
export function mutatedBodies(bodies: Body[]): fc.Arbitrary<Body> {
  return fc.integer({ min: 1, max: 4 }).chain((count) => {
    let arbitrary = mutatedBody(bodies);
    for (let step = 1; step < count; step++) arbitrary = arbitrary.chain((body) => mutatedBody([body]));
    return arbitrary;
  });
}

/** Any JSON a client might send as a whole body, objects with the routes' field names most of all. */
export function anyBody(fields: readonly string[]): fc.Arbitrary<unknown> {
  const json = fc.jsonValue({ maxDepth: 4 });
  return fc.oneof(
    json,
    fc.dictionary(fc.constantFrom(...fields), json, { maxKeys: fields.length }),
    fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }),
  );
}
