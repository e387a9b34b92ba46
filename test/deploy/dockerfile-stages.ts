import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Copy, DockerfileParser, type From, type Instruction } from "dockerfile-ast";

/** One `FROM` and the instructions under it. */
export interface Stage {
  from: From;
  name: string | undefined;
  instructions: Instruction[];
}

/** The stages of a Dockerfile in order; the last one is the image that ships. */
export function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === "FROM") {
      const from = instruction as From;
      stages.push({ from, name: from.getBuildStage() ?? undefined, instructions: [] });
    } else {
      const current = stages.at(-1);
      if (!current) throw new Error(`${instruction.getKeyword()} before the first FROM`);
      current.instructions.push(instruction);
    }
  }
  return stages;
}

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
}

/** The words of an instruction, flags included (`--from=build`, `/app/dist/`, `dist/`). */
export function words(instruction: Instruction): string[] {
  return instruction.getArguments().map((argument) => argument.getValue());
}

/** A COPY's sources (every word but flags and the destination) and where it takes them from. */
export function copySources(copy: Copy): { from: string | undefined; sources: string[] } {
  const values = words(copy).filter((word) => !word.startsWith("--"));
  return { from: copy.getFromFlag()?.getValue() ?? undefined, sources: values.slice(0, -1) };
}

/** The path a stage's WORKDIR-relative or absolute file has in this repository, where the stage mirrors it. */
export function repoPathOf(stagePath: string, workdir: string): string | undefined {
  const prefix = workdir.endsWith("/") ? workdir : `${workdir}/`;
  if (!stagePath.startsWith("/")) return stagePath;
  return stagePath.startsWith(prefix) ? stagePath.slice(prefix.length) : undefined;
}

/**
 * Whether `.dockerignore` keeps a path out of the build context: its patterns as Docker reads them (Go's
 * filepath.Match with `**`, anchored at the context root, a later `!pattern` re-including), for the plain patterns
 * this repository uses.
 */
export function dockerIgnores(root: string): (path: string) => boolean {
  const file = join(root, ".dockerignore");
  const rules = existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
        .map((line) => {
          const negated = line.startsWith("!");
          const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, "");
          const source = pattern
            .split("/")
            .map((part) =>
              part === "**"
                ? ".*"
                : part
                    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                    .replace(/\*/g, "[^/]*")
                    .replace(/\?/g, "[^/]"),
            )
            .join("/")
            .replace(/\.\*\//g, "(?:.*/)?");
          return { negated, regex: new RegExp(`^${source}(?:/.*)?$`) };
        })
    : [];
  return (path) => {
    const normalized = path.replace(/^\.\/|\/+$/g, "");
    let ignored = false;
    for (const rule of rules) if (rule.regex.test(normalized)) ignored = !rule.negated;
    return ignored;
  };
}
