// The patch to @remix-run/router (patches/@remix-run+router+1.23.3.patch,
// applied by `patch-package` at install, issue 17): the server keeps each
// route tree's flattened, ranked branches and each pattern's compiled regular
// expression instead of rebuilding them on every match. These tests fail if the
// patch is lost (a fresh install without the postinstall step, or an upgrade of
// the package that leaves the patch behind), and check that the patched
// matcher answers exactly as the package's own (unpatched ESM) build does for
// every route of the app.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as RouterModule from "@remix-run/router";
import type { AgnosticRouteObject } from "@remix-run/router";
import { describe, expect, it } from "vitest";
import routeConfig from "~/routes";

const require = createRequire(import.meta.url);
// What Node loads for `require("@remix-run/router")` (server-runtime) and for an ESM import without "exports": the CJS main.
type Router = typeof RouterModule;
type RouteObject = AgnosticRouteObject;
const patched = require("@remix-run/router") as Router;
const packageDir = path.dirname(require.resolve("@remix-run/router/package.json"));
const version = (JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }).version;

describe("the @remix-run/router patch", () => {
  it("is kept as a patch file for the installed version, applied at install by a pinned patch-package", () => {
    expect(fs.existsSync(path.resolve("patches", `@remix-run+router+${version}.patch`))).toBe(true);
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.scripts.postinstall).toBe("patch-package");
    expect(pkg.devDependencies["patch-package"]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("is applied: a route tree's ranked branches are kept between matches", () => {
    const routes: RouteObject[] = [{ id: "a", path: "first" }];
    expect(patched.matchRoutes(routes, "/first")?.[0].route.id).toBe("a");
    // Unpatched, every call flattens the tree again and would see the new path.
    routes[0].path = "second";
    expect(patched.matchRoutes(routes, "/first")?.[0].route.id).toBe("a");
    expect(patched.matchRoutes([...routes], "/second")?.[0].route.id).toBe("a");
  });

  it("forgets a tree's branches when routes are patched into it", () => {
    const router = patched.createRouter({
      routes: [{ id: "root", path: "/", children: [{ id: "one", path: "one" }] }],
      history: patched.createMemoryHistory(),
    });
    expect(patched.matchRoutes(router.routes, "/two")).toBeNull();
    router.patchRoutes("root", [{ id: "two", path: "two" }]);
    expect(patched.matchRoutes(router.routes, "/two")?.map((m) => m.route.id)).toEqual(["root", "two"]);
    router.dispose();
  });

  it("matches every route of the app exactly as the unpatched build does", async () => {
    const original = (await import(pathToFileURL(path.join(packageDir, "dist/router.js")).href)) as Router;
    expect(fs.readFileSync(path.join(packageDir, "dist/router.js"), "utf8")).not.toContain("mashwara patch");
    type Entry = { id?: string; file: string; path?: string; index?: boolean; children?: Entry[] };
    const toRoutes = (entries: Entry[]): RouteObject[] =>
      entries.map((e) => ({
        id: e.id ?? e.file,
        path: e.path,
        index: e.index,
        children: e.children ? toRoutes(e.children) : undefined,
      })) as RouteObject[];
    const routes = [{ id: "root", path: "", children: toRoutes(routeConfig as Entry[]) }];
    const paths: string[] = ["/", "/nope", "/a/b/c", "/healthz/", "/HEALTHZ", "/submissions/12%2F3", "/submissions/%E2%9C%93"];
    const walk = (entries: Entry[], prefix: string) => {
      for (const e of entries) {
        const full = `${prefix}/${e.path ?? ""}`.replace(/\/+/g, "/");
        paths.push(full, full.replace(/:[\w-]+/g, "17"), full.replace(/:[\w-]+/g, "x-y") + "/", full + "/extra");
        if (e.children) walk(e.children, full);
      }
    };
    walk(routeConfig as Entry[], "");
    const shape = (matches: ReturnType<Router["matchRoutes"]>) =>
      matches?.map((m) => [m.route.id, m.pathname, m.pathnameBase, m.params]) ?? null;
    for (let round = 0; round < 2; round++) {
      for (const p of paths) expect(shape(patched.matchRoutes(routes, p)), p).toEqual(shape(original.matchRoutes(routes, p)));
    }
    expect(patched.matchPath({ path: "/clusters/:cluster", end: true }, "/clusters/leather")?.params).toEqual({ cluster: "leather" });
    expect(patched.matchPath({ path: "/clusters/:cluster", end: false }, "/clusters/leather/more")?.pathnameBase).toBe("/clusters/leather");
    expect(patched.matchPath({ path: "/Clusters/:cluster", caseSensitive: true }, "/clusters/leather")).toBeNull();
  });
});
