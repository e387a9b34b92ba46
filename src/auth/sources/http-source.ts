import { request } from "undici";
import { z } from "zod";
import type { ActorSourceConfig } from "../../config/schema/tollgate.js";
import { budget, featureLimits } from "../../config/schema/tollgate.js";
import { type Actor, makeActor } from "../actor.js";

/**
 * The client side of the external actor source protocol (docs/actor-sources.md):
 * `GET <url>?tokenSha256=<hex>` → 200 `{ "actor": … }` or 404; `GET <url>` → 200 `{ "actors": [ … ] }`.
 * Answers are parsed leniently (unknown fields ignored) but an actor whose known fields are wrong is
 * rejected rather than guessed at: a wrong limit must not become no limit.
 */

const SHA256 = /^[0-9a-f]{64}$/;

const sourceActor = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._@:-]+$/)
    .max(128),
  name: z.string().optional(),
  role: z.enum(["admin", "readonly", "user"]).default("user"),
  status: z.enum(["active", "disabled"]).default("active"),
  tokens: z
    .array(
      z.object({
        sha256: z
          .string()
          .transform((value) => value.toLowerCase())
          .pipe(z.string().regex(SHA256)),
      }),
    )
    .default([]),
  allowedModels: z.array(z.string().min(1)).nullable().optional(),
  limits: featureLimits.nullable().optional(),
  budget: budget.nullable().optional(),
});

export interface SourceEntry {
  actor: Actor;
  /** Token hashes that identify this actor. */
  tokens: string[];
}

/** A source answered, but not in the protocol's shape, or not at all in time. */
export class SourceError extends Error {
  override name = "SourceError";
}

function toEntry(value: unknown, sourceId: string): SourceEntry {
  const parsed = sourceActor.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SourceError(`invalid actor at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const data = parsed.data;
  return {
    actor: makeActor({
      id: data.id,
      name: data.name,
      role: data.role,
      status: data.status,
      allowedModels: data.allowedModels ?? null,
      limits: data.limits ?? undefined,
      budget: data.budget ?? undefined,
      source: "external",
      sourceId,
    }),
    tokens: data.tokens.map((token) => token.sha256),
  };
}

export interface FullSync {
  entries: SourceEntry[];
  /** Actors skipped because they did not parse, with the reason (for a warning). */
  skipped: string[];
}

export class HttpActorSource {
  constructor(readonly config: ActorSourceConfig) {}

  get id(): string {
    return this.config.id;
  }

  /** The actor owning the token with this hash, `undefined` when the source does not know it. */
  async lookup(tokenSha256: string): Promise<SourceEntry | undefined> {
    const url = new URL(this.config.url);
    url.searchParams.set("tokenSha256", tokenSha256);
    const { status, body } = await this.get(url);
    if (status === 404) return undefined;
    if (status !== 200) throw new SourceError(`source \`${this.id}\` answered HTTP ${status} to a lookup`);
    const actor = (body as { actor?: unknown } | null)?.actor;
    if (actor === undefined)
      throw new SourceError(`source \`${this.id}\` answered a lookup without \`actor\``);
    const entry = toEntry(actor, this.id);
    // The source vouches for this hash even if it leaves it out of the actor's token list.
    if (!entry.tokens.includes(tokenSha256)) entry.tokens.push(tokenSha256);
    return entry;
  }

  /** Every actor the source defines. */
  async list(): Promise<FullSync> {
    const { status, body } = await this.get(new URL(this.config.url));
    if (status !== 200) throw new SourceError(`source \`${this.id}\` answered HTTP ${status} to a full sync`);
    const actors = (body as { actors?: unknown } | null)?.actors;
    if (!Array.isArray(actors))
      throw new SourceError(`source \`${this.id}\` answered a full sync without \`actors\``);
    const entries: SourceEntry[] = [];
    const skipped: string[] = [];
    actors.forEach((value, index) => {
      try {
        entries.push(toEntry(value, this.id));
      } catch (error) {
        skipped.push(`actors[${index}]: ${(error as Error).message}`);
      }
    });
    return { entries, skipped };
  }

  private async get(url: URL): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: "application/json" };
    for (const [name, value] of Object.entries(this.config.headers ?? {}))
      headers[name.toLowerCase()] = value.reveal();
    if (this.config.authorization) headers.authorization = this.config.authorization.reveal();
    const timeout = this.config.timeout;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: "GET",
        headers,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
    } catch (error) {
      // The URL may carry credentials in its query; name the source, not the URL.
      throw new SourceError(`source \`${this.id}\` unreachable: ${(error as Error).message}`);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      return { status: response.statusCode, body: undefined };
    }
    try {
      return { status: 200, body: await response.body.json() };
    } catch (error) {
      throw new SourceError(`source \`${this.id}\` answered with invalid JSON: ${(error as Error).message}`);
    }
  }
}
