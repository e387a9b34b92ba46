/**
 * Loads the recorded provider fixtures (test/fixtures/recorded; see its SOURCES.md for the
 * formats). Test-only: synchronous reads are fine here.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(new URL("../../", import.meta.url)));
export const fixturesRoot = resolve(repoRoot, "test/fixtures/recorded");

export function fixturePath(relative: string): string {
  return resolve(fixturesRoot, relative);
}

export function readFixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), "utf8");
}

export function readFixtureJson(relative: string): unknown {
  return JSON.parse(readFixtureText(relative));
}

/** vercel-ai `*.chunks.txt`: one JSON payload per non-empty line. */
export function readChunks(relative: string): unknown[] {
  return readFixtureText(relative)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}

export interface HadrianFixture {
  id: string;
  response: { status: number; streaming?: boolean; chunks?: unknown[]; body?: unknown };
}

/** hadrian `*.json`: a recorded exchange; streamed chunks are parsed JSON objects. */
export function readHadrian(relative: string): HadrianFixture {
  return readFixtureJson(relative) as HadrianFixture;
}

/**
 * pydantic-ai cassettes: the raw text bodies written as YAML block literals (`string: |+`), in interaction
 * order. Only the block-literal form is read (the SSE streams); quoted and `!!binary` bodies are skipped.
 */
export function readCassetteBodies(relative: string): string[] {
  const lines = readFixtureText(relative).split("\n");
  const bodies: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const header = /^(\s*)string: \|[+-]?$/.exec(lines[index] ?? "");
    if (!header) continue;
    const keyIndent = header[1]?.length ?? 0;
    const body: string[] = [];
    let indent: number | undefined;
    let next = index + 1;
    for (; next < lines.length; next++) {
      const line = lines[next] ?? "";
      if (line.trim() === "") {
        body.push("");
        continue;
      }
      const lineIndent = line.length - line.trimStart().length;
      if (lineIndent <= keyIndent) break;
      indent ??= lineIndent;
      body.push(line.slice(indent));
    }
    while (body.length > 0 && body[body.length - 1] === "" && !lines[index]?.endsWith("+")) body.pop();
    bodies.push(`${body.join("\n")}\n`);
    index = next - 1;
  }
  return bodies;
}
