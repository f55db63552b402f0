import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";

// In the browser, "react-i18next" is our lite translator (app/lib/react-i18n-lite.tsx):
// i18next and a whole locale file would be a fifth of the page's JavaScript.
// The server render keeps react-i18next and i18next.
function liteI18n(): Plugin {
  const shim = path.resolve(__dirname, "app/lib/react-i18n-lite.tsx");
  return {
    name: "lite-i18n",
    enforce: "pre",
    resolveId(source, importer, options) {
      if (source === "react-i18next" && !options?.ssr && importer !== shim) return shim;
      return null;
    },
  };
}

/**
 * What every page loads: the browser entry and the root route, and everything they import. Kept in two chunks:
 * "framework" (React, React DOM, Remix's and React Router's browser code: changes only with a dependency, so it
 * stays cached across our releases) and "shared" (our translator, header, formats, error page: ~5 KB gzip).
 * Left to itself, Rollup split these along which routes import what, into chunks of a few hundred bytes (each a
 * request before the first paint, too small to be compressed) and gzip streams that compress worse than one:
 * −1.7 KB gzip and 4 requests fewer on a suggestion's page (ADR 0040; tests/routes/page-weight.test.ts prints each page's chunks).
 */
type ModuleGraph = {
  getModuleIds: () => IterableIterator<string>;
  getModuleInfo: (id: string) => { importedIds: readonly string[] } | null;
};
const EVERY_PAGE_ENTRY = /\/app\/(root\.tsx\?__remix-build-client-route|entry\.client\.tsx)$/;
let everyPage: Set<string> | undefined;
function loadedByEveryPage(id: string, graph: ModuleGraph): boolean {
  if (!everyPage) {
    const entries = [...graph.getModuleIds()].filter((m) => EVERY_PAGE_ENTRY.test(m));
    const seen = new Set<string>(entries);
    const queue = [...entries];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      for (const next of graph.getModuleInfo(id)?.importedIds ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    for (const entry of entries) seen.delete(entry);
    everyPage = seen;
  }
  return everyPage.has(id);
}

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [
    liteI18n(),
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
        v3_routeConfig: true,
      },
    }),
  ],
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  // remix-i18next imports "react-i18next": pre-bundled, it would skip the lite-i18n plugin in development.
  optimizeDeps: { exclude: ["@node-rs/argon2", "remix-i18next"] },
  build: {
    target: "es2022",
    rollupOptions: isSsrBuild
      ? {}
      : {
          output: {
            manualChunks: (id: string, graph: ModuleGraph) =>
              loadedByEveryPage(id, graph) ? (id.includes("/node_modules/") ? "framework" : "shared") : undefined,
          },
        },
  },
}));
