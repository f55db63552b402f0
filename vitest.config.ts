// Kept apart from vite.config.ts so the Remix plugin never loads under vitest.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  test: {
    include: ["tests/**/*.test.ts"],
    // tests/crash: `npm run test:crash` (vitest.crash.config.ts).
    exclude: ["tests/e2e/**", "tests/crash/**", "node_modules/**"],
    pool: "forks",
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
