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
 * Modules every page loads before anything else, kept in one chunk: React, React DOM, Remix's and React Router's
 * browser code, turbo-stream, the translator, and the error page's content (the root and every route with an
 * action import it). Left to itself, Rollup splits them along which routes import what, into chunks of a few
 * hundred bytes (each a request, too small to be compressed) and two gzip streams where one compresses better.
 */
const EVERY_PAGE = [
  /\/node_modules\/(react|react-dom|scheduler|@remix-run\/react|@remix-run\/router|react-router|react-router-dom|turbo-stream)\//,
  /\/app\/lib\/(react-i18n-lite\.tsx|i18n-lite\.ts)$/,
  /\/app\/components\/error-page\.tsx$/,
];

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
    // tests/routes/page-weight.test.ts: an error boundary shared by the routes with an action split React's chunk
    // in two, +1.5 KB gzip on every page, before EVERY_PAGE.
    rollupOptions: isSsrBuild
      ? {}
      : { output: { manualChunks: (id: string) => (EVERY_PAGE.some((re) => re.test(id)) ? "shared" : undefined) } },
  },
}));
