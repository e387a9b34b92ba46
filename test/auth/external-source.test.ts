import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { isModelAllowed } from "../../src/auth/actor.js";
import { ActorDirectory, type ActorDirectoryOptions } from "../../src/auth/actor-directory.js";
import { hashToken } from "../../src/auth/token.js";
import type { ActorSourceConfig } from "../../src/config/schema/tollgate.js";
import { Secret } from "../../src/config/secret.js";
import { authenticate } from "../../src/server/auth-hook.js";
import { installErrorHandling } from "../../src/server/error-handler.js";
import { openStore, type Store } from "../../src/store/index.js";
import { testRedis, within } from "./redis.js";

interface SourceActor {
  id: string;
  name?: string;
  tokens: { sha256: string }[];
  [field: string]: unknown;
}

/** A local HTTP server speaking the actor source protocol (docs/actor-sources.md), which tests can stop. */
class FakeSource {
  actors: SourceActor[] = [];
  /** Extra entries in the full list that do not parse. */
  junk: unknown[] = [];
  syncs = 0;
  lookups: string[] = [];
  headers: IncomingHttpHeaders[] = [];
  failWith: number | undefined;
  private server: Server | undefined;
  port = 0;

  add(id: string, token: string, extra: Record<string, unknown> = {}): void {
    this.actors.push({ id, tokens: [{ sha256: hashToken(token) }], ...extra });
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.headers.push(request.headers);
      if (this.failWith !== undefined) {
        response.writeHead(this.failWith).end("down");
        return;
      }
      const url = new URL(request.url!, "http://source");
      const hash = url.searchParams.get("tokenSha256");
      response.setHeader("content-type", "application/json");
      if (hash !== null) {
        this.lookups.push(hash);
        const actor = this.actors.find((entry) => entry.tokens.some((token) => token.sha256 === hash));
        if (!actor) response.writeHead(404).end('{"error":"unknown token"}');
        else response.end(JSON.stringify({ actor }));
        return;
      }
      this.syncs++;
      response.end(JSON.stringify({ actors: [...this.actors, ...this.junk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  config(overrides: Partial<ActorSourceConfig> = {}): ActorSourceConfig {
    return {
      id: "people",
      url: `http://127.0.0.1:${this.port}/actors`,
      authorization: new Secret("Bearer source-secret"),
      syncInterval: 3_600_000,
      maxStaleness: 600_000,
      timeout: 1_000,
      ...overrides,
    };
  }
}

describe("external actor sources", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function source(): Promise<FakeSource> {
    const fake = new FakeSource();
    await fake.start();
    cleanups.push(() => fake.stop());
    return fake;
  }

  async function memoryStore(): Promise<Store> {
    const store = await openStore("sqlite::memory:");
    await store.migrate();
    cleanups.push(() => store.close());
    return store;
  }

  async function directoryFor(
    fake: FakeSource,
    options: Partial<ActorDirectoryOptions> & { source?: Partial<ActorSourceConfig> } = {},
  ) {
    const { source: sourceOverrides, ...rest } = options;
    const directory = new ActorDirectory({
      store: rest.store ?? (await memoryStore()),
      actors: { list: [], sources: [fake.config(sourceOverrides)] },
      pollIntervalMs: 60_000,
      ...rest,
    });
    await directory.start();
    cleanups.push(() => directory.close());
    return directory;
  }

  it("full sync at start, lookup on a miss, 404 is a brief 'unknown'; limits and models come through", async () => {
    const fake = await source();
    fake.add("alice", "tg_alice", {
      name: "Alice",
      allowedModels: ["anthropic::*"],
      limits: { chat: { requests: 5, interval: "1m" } },
      budget: { usd: 10, period: "month" },
    });
    const directory = await directoryFor(fake);
    await within(1_000, () => fake.syncs >= 1 && directory.cachedPrincipal("tg_alice") !== undefined);
    const alice = directory.authenticate("tg_alice") as Awaited<ReturnType<typeof directory.authenticate>>;
    expect(alice).toMatchObject({ actorId: "alice", name: "Alice", role: "user" });
    expect(alice!.actor).toMatchObject({
      source: "external",
      sourceId: "people",
      limits: { chat: { requests: 5, interval: 60_000 } },
      budget: { usd: 10, period: "month" },
    });
    expect(isModelAllowed(alice!.actor!, "anthropic::v1::claude")).toBe(true);
    expect(isModelAllowed(alice!.actor!, "openai::v1::gpt-4o")).toBe(false);
    expect(fake.headers[0]!.authorization).toBe("Bearer source-secret");

    fake.add("bob", "tg_bob");
    const bob = directory.authenticate("tg_bob");
    expect(bob).toBeInstanceOf(Promise);
    expect(await bob).toMatchObject({ actorId: "bob" });
    expect(fake.lookups).toEqual([hashToken("tg_bob")]);
    expect(directory.authenticate("tg_bob")).toMatchObject({ actorId: "bob" });

    expect(await directory.authenticate("tg_nobody")).toBeUndefined();
    expect(directory.authenticate("tg_nobody")).toBeUndefined();
    expect(fake.lookups).toHaveLength(2);

    // A full sync is the whole truth: an actor the source dropped stops working.
    fake.actors = fake.actors.filter((actor) => actor.id !== "alice");
    expect(await directory.syncSource("people")).toBe("synced");
    expect(directory.authenticate("tg_alice")).toBeInstanceOf(Promise);
    expect(await directory.authenticate("tg_alice")).toBeUndefined();
  });

  it("actors that do not parse are skipped, the rest still sync", async () => {
    const fake = await source();
    fake.add("ok", "tg_ok");
    fake.junk = [
      { id: "bad", tokens: [{ sha256: "nothex" }] },
      { id: "worse", limits: { chat: { requests: "many" } } },
    ];
    const directory = await directoryFor(fake);
    await within(1_000, () => directory.cachedPrincipal("tg_ok") !== undefined);
    expect(directory.authenticate("tg_ok")).toMatchObject({ actorId: "ok" });
  });

  it("outage: cached actors keep working until maxStaleness, unknown tokens get 503, nothing failed is cached", async () => {
    let now = Date.now();
    const fake = await source();
    fake.add("alice", "tg_alice");
    const directory = await directoryFor(fake, { now: () => now, source: { maxStaleness: 600_000 } });
    await within(1_000, () => directory.cachedPrincipal("tg_alice") !== undefined);

    await fake.stop();
    now += 300_000;
    expect(await directory.syncSource("people")).toBe("failed");
    expect(directory.authenticate("tg_alice")).toMatchObject({ actorId: "alice" });
    await expect(directory.authenticate("tg_new_user")).rejects.toThrow("actor source is unavailable");
    // Not remembered as unknown: still a failure, not a 401.
    await expect(directory.authenticate("tg_new_user")).rejects.toThrow("actor source is unavailable");

    // Through the auth hook: 503 gateway_unavailable for the unknown token.
    const app = Fastify();
    installErrorHandling(app, 1024);
    app.get("/v1/probe", { onRequest: authenticate(() => directory) }, async (request) => ({
      actor: request.principal?.actorId,
    }));
    cleanups.push(() => app.close());
    const unknown = await app.inject({ url: "/v1/probe", headers: { "x-api-key": "tg_new_user" } });
    expect(unknown.statusCode).toBe(503);
    expect(unknown.json()).toMatchObject({ error: { code: "gateway_unavailable" } });
    const known = await app.inject({ url: "/v1/probe", headers: { "api-key": "tg_alice" } });
    expect(known.json()).toEqual({ actor: "alice" });

    // Past maxStaleness since the last successful sync: refused with 503, never with "no access".
    now += 300_001;
    await expect(directory.authenticate("tg_alice")).rejects.toThrow("actor source is unavailable");

    // The source comes back with the new user: both work at once (Cody would have cached empty actors).
    fake.add("newbie", "tg_new_user");
    await fake.start();
    expect(await directory.authenticate("tg_new_user")).toMatchObject({ actorId: "newbie" });
    expect(await directory.authenticate("tg_alice")).toMatchObject({ actorId: "alice" });
    expect(directory.authenticate("tg_alice")).toMatchObject({ actorId: "alice" });
  });

  it("a source answering 500 is a failure, not a denial, and is not cached", async () => {
    const fake = await source();
    const directory = await directoryFor(fake);
    await within(1_000, () => fake.syncs >= 1);
    fake.add("carol", "tg_carol");
    fake.failWith = 500;
    await expect(directory.authenticate("tg_carol")).rejects.toThrow();
    fake.failWith = undefined;
    expect(await directory.authenticate("tg_carol")).toMatchObject({ actorId: "carol" });
  });

  it("with Redis: one replica syncs per interval under the lock; the other adopts the shared snapshot", async () => {
    const fake = await source();
    fake.add("alice", "tg_alice");
    const redis = testRedis();
    cleanups.push(() => redis.cleanup());
    const first = await directoryFor(fake, { redis });
    await within(2_000, () => first.cachedPrincipal("tg_alice") !== undefined);
    const second = await directoryFor(fake, { redis });
    await within(2_000, () => second.cachedPrincipal("tg_alice") !== undefined);
    expect(fake.syncs).toBe(1);
    expect(fake.lookups).toEqual([]);
    expect(await second.syncSource("people")).not.toBe("synced");
    expect(await first.syncSource("people")).not.toBe("synced");
    expect(fake.syncs).toBe(1);

    // A new interval (the attempt marker expired): two replicas at once, exactly one asks the source.
    await redis.client.del(`${redis.keyPrefix}actor-source:people:sync-attempted`);
    fake.add("bob", "tg_bob");
    const outcomes = await Promise.all([first.syncSource("people"), second.syncSource("people")]);
    expect(outcomes.filter((outcome) => outcome === "synced")).toHaveLength(1);
    expect(fake.syncs).toBe(2);
    expect(first.syncRequests("people") + second.syncRequests("people")).toBe(2);
    // The other replica picks up the new snapshot (pub/sub) without asking the source.
    await within(1_000, () => first.cachedPrincipal("tg_bob") !== undefined);
    await within(1_000, () => second.cachedPrincipal("tg_bob") !== undefined);
    expect(fake.lookups).toEqual([]);
    expect(await redis.client.exists(`${redis.keyPrefix}actor-source:people:sync-lock`)).toBe(0);
  });

  it("with Redis: a replica that never saw a token uses another's cached lookup while the source is down", async () => {
    const fake = await source();
    const redis = testRedis();
    cleanups.push(() => redis.cleanup());
    const first = await directoryFor(fake, { redis });
    await within(1_000, () => fake.syncs >= 1);
    fake.add("dave", "tg_dave");
    expect(await first.authenticate("tg_dave")).toMatchObject({ actorId: "dave" });
    await fake.stop();
    const second = await directoryFor(fake, { redis });
    expect(await second.authenticate("tg_dave")).toMatchObject({ actorId: "dave" });
    await expect(second.authenticate("tg_someone_else")).rejects.toThrow();
  });
});
