import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { describeStoreConformance } from "./store-conformance.js";

const directories: string[] = [];

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "tollgate-store-"));
  directories.push(directory);
  return directory;
}

afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describeStoreConformance("SQLite file", {
  kind: "sqlite",
  shared: true,
  async createTarget() {
    const directory = await temporaryDirectory();
    return { open: (options) => openStore("sqlite:data/tollgate.db", { baseDir: directory, ...options }) };
  },
});

describeStoreConformance("SQLite in memory", {
  kind: "sqlite",
  shared: false,
  async createTarget() {
    return { open: (options) => openStore("sqlite::memory:", options) };
  },
});

describe("SQLite file store", () => {
  it("writes usage on its own thread, so the usage writer may send whole batches; `:memory:` takes small ones", async () => {
    const file = await openStore("sqlite:batches.db", { baseDir: await temporaryDirectory() });
    const memory = await openStore("sqlite::memory:");
    expect(file.usageEvents.batchLimit).toBeUndefined();
    expect(memory.usageEvents.batchLimit).toBe(64);
    await file.close();
    await memory.close();
  });

  it("creates a private directory and database file, in WAL mode", async () => {
    const base = await temporaryDirectory();
    const store = await openStore("sqlite:.tollgate/nested/tollgate.db", { baseDir: base });
    await store.migrate();
    await store.settings.set("k", "v");
    const directory = join(base, ".tollgate", "nested");
    expect((await stat(join(base, ".tollgate"))).mode & 0o777).toBe(0o700);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    expect((await stat(join(directory, "tollgate.db"))).mode & 0o777).toBe(0o600);
    // WAL mode keeps a -wal file beside the database while it is open.
    expect(await readdir(directory)).toContain("tollgate.db-wal");
    expect((await stat(join(directory, "tollgate.db-wal"))).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it("resolves relative paths against baseDir and accepts absolute ones", async () => {
    const base = await temporaryDirectory();
    const relative = await openStore("sqlite:relative.db", { baseDir: base });
    await relative.migrate();
    await relative.close();
    const absolute = await openStore(`sqlite:${join(base, "absolute.db")}`, { baseDir: "/nonexistent" });
    await absolute.migrate();
    await absolute.close();
    const urlStyle = await openStore(`sqlite://${join(base, "url-style.db")}`);
    await urlStyle.close();
    expect((await readdir(base)).filter((name) => name.endsWith(".db")).sort()).toEqual([
      "absolute.db",
      "relative.db",
      "url-style.db",
    ]);
  });

  it("keeps data across reopening", async () => {
    const base = await temporaryDirectory();
    const first = await openStore("sqlite:kept.db", { baseDir: base });
    await first.migrate();
    await first.actors.create({ id: "a", name: "A", role: "user", source: "database" });
    await first.close();
    const second = await openStore("sqlite:kept.db", { baseDir: base });
    expect((await second.migrate()).applied).toEqual([]);
    expect((await second.actors.get("a"))?.name).toBe("A");
    await second.close();
  });
});
