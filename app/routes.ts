import { type RouteConfig, index, prefix, route } from "@remix-run/route-config";

export default [
  index("routes/home.tsx"),
  route("register", "routes/register.tsx"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  route("language", "routes/language.tsx"),
  route("me", "routes/me.tsx"),
  route("clusters/:cluster", "routes/cluster.tsx"),
  route("healthz", "routes/healthz.ts"),
  route("moderation", "routes/moderation.tsx"),
  route("organiser", "routes/organiser.tsx"),
  ...prefix("admin", [
    index("routes/admin.index.tsx"),
    route("users", "routes/admin.users.tsx"),
    route("consultation", "routes/admin.consultation.tsx"),
    route("taxonomy", "routes/admin.taxonomy.tsx"),
    route("audit", "routes/admin.audit.tsx"),
    route("*", "routes/admin.splat.tsx"),
  ]),
  ...prefix("exports", [index("routes/exports.index.tsx"), route("*", "routes/exports.splat.tsx")]),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
