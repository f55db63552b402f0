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

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
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
  build: { target: "es2022" },
});
