import { describe, expect, it } from "vitest";
import { migrations } from "./index.js";
import { columnTypes } from "./migration.js";

describe("migrations", () => {
  it("are numbered 1, 2, 3, … with unique kebab-case names", () => {
    expect(migrations.map((migration) => migration.id)).toEqual(migrations.map((_, index) => index + 1));
    for (const { name } of migrations) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(migrations.map((migration) => migration.name)).size).toBe(migrations.length);
  });

  it("differ between dialects only in the column types", () => {
    const postgres = columnTypes("postgres");
    const sqlite = columnTypes("sqlite");
    for (const migration of migrations) {
      let normalised = migration.sql("postgres");
      for (const key of Object.keys(postgres) as (keyof typeof postgres)[]) {
        normalised = normalised.split(postgres[key]).join(sqlite[key]);
      }
      expect(normalised).toBe(migration.sql("sqlite"));
    }
  });
});
