// "builds if needed": `npm start` on a fresh clone builds the app once; later
// starts reuse the build unless a source file is newer than it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";

const BUILD_ENTRY = path.resolve("build/server/index.js");
const SOURCES = ["app", "public", "db", "vite.config.ts", "package.json"];

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function buildIsCurrent(): boolean {
  if (!fs.existsSync(BUILD_ENTRY)) return false;
  const built = fs.statSync(BUILD_ENTRY).mtimeMs;
  return SOURCES.every((s) => newestMtime(path.resolve(s)) <= built);
}

export function ensureBuild(logger?: Pick<Logger, "info">): void {
  if (buildIsCurrent()) return;
  logger?.info("building the app (first start, or sources changed)…");
  const remix = path.resolve("node_modules/@remix-run/dev/dist/cli.js");
  // The build's chatter goes to stderr: stdout stays one JSON log line per event.
  // Always a production build: an inherited NODE_ENV (vitest sets "test") would
  // otherwise give the browser React's development build, five times the size.
  execFileSync(process.execPath, [remix, "vite:build"], { stdio: ["ignore", 2, 2], env: { ...process.env, NODE_ENV: "production" } });
}
