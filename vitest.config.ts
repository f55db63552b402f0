// Kept apart from vite.config.ts so the Remix plugin never loads under vitest.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  test: {
    include: ["tests/**/*.test.ts"],
    // tests/crash: `npm run test:crash` (vitest.crash.config.ts). tests/pg:
    // PostgreSQL-only (two app instances on one database), so only in a
    // PostgreSQL run: a SQLite run does not list it at all, rather than skip it.
    exclude: ["tests/e2e/**", "tests/crash/**", ...(process.env.TEST_DATABASE_URL ? [] : ["tests/pg/**"]), "node_modules/**"],
    pool: "forks",
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
