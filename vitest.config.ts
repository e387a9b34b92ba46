import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Tests that share Postgres or Redis use their own database/schema and key prefix,
    // so files may run in parallel.
    pool: "forks",
  },
});
