// `npm run test:crash`: kill -9 and SIGTERM against the production server
// under load (tests/crash). Minutes, not seconds, so not in `npm test`; one
// file at a time, because each loads both cores. SQLite by default,
// PostgreSQL with TEST_DATABASE_URL (`npm run test:crash:pg`).
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  test: {
    include: ["tests/crash/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
