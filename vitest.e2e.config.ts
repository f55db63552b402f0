// The browser journeys: real Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core against the built server. One file at a time: the browser
// and the server share the machine's two cores.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
