// The baseline of the load benchmark: the same cluster page with nothing of
// our stack but the data access — a bare node:http server (no Express, no
// Remix, no React, no i18next, no sessions, no compression) that runs the
// same model calls as the cluster page's loader (cluster by slug, the
// consultation, categories, stages, listClusterSubmissions with the listing
// memo: the same SQL, the same 20 rows) and writes the HTML with a template
// string. What this stack could at best do on this machine at that moment.
//
//   DATABASE_URL=… PORT=46050 [WEB_CONCURRENCY=2] npx tsx bench/baseline-server.ts
//
// GET /clusters/:slug?sort=top|random&page=N&q=…&category=…, GET /healthz.
import cluster from "node:cluster";
import http from "node:http";
import { createDb } from "../db/client";
import { ListingCache } from "~/lib/listing-cache.server";
import { getPublicConsultation } from "~/models/consultation.server";
import { listClusterSubmissions, randomSortSeed } from "~/models/submission.server";
import { getClusterBySlug, listCategories, listStages } from "~/models/taxonomy.server";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const workers = Number(process.env.WEB_CONCURRENCY ?? 1);
const port = Number(process.env.PORT ?? 46050);

const esc = (s: unknown) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  const { db, close } = createDb(url);
  const cache = new ListingCache();
  const server = http.createServer(async (req, res) => {
    try {
      const u = new URL(req.url ?? "/", "http://localhost");
      if (u.pathname === "/healthz") {
        res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
        return;
      }
      const m = /^\/clusters\/([a-z0-9-]+)$/.exec(u.pathname);
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const c = await getClusterBySlug(db, m[1]);
      if (!c) {
        res.writeHead(404).end();
        return;
      }
      const [consultation, categories, stages] = await Promise.all([
        getPublicConsultation(db, null),
        listCategories(db, { includeArchived: true }),
        listStages(db),
      ]);
      const category = categories.find((x) => x.slug === u.searchParams.get("category"));
      const page = Math.max(1, Number(u.searchParams.get("page") ?? 1) || 1);
      const list = consultation
        ? await listClusterSubmissions(
            db,
            {
              consultationId: consultation.id,
              clusterId: c.id,
              sort: u.searchParams.get("sort") === "random" ? "random" : "top",
              page,
              pageSize: 20,
              seed: randomSortSeed(req.socket.remoteAddress ?? ""),
              q: u.searchParams.get("q") || undefined,
              category: category?.id,
            },
            { cache },
          )
        : { total: 0, submissions: [] };
      const cards = list.submissions
        .map(
          (s) =>
            `<li><article><h2><a href="/submissions/${s.id}">${esc(s.title)}</a></h2><p>${esc(s.organisation_name)} · ${esc(s.city)} · ${esc(s.size_band)}</p>` +
            `<p>${s.categories.map((k) => esc(k.name_en)).join(", ")}</p><p>${esc(JSON.stringify(s.breadth))} · ${s.comments_count} comments · ${esc(s.published_at ?? s.created_at)}</p></article></li>`,
        )
        .join("");
      const html =
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(c.name_en)}</title></head><body><main><h1>${esc(c.name_en)}</h1>` +
        `<form><select name="category">${categories.map((k) => `<option value="${esc(k.slug)}">${esc(k.name_en)}</option>`).join("")}</select>` +
        `<select name="stage">${stages.map((k) => `<option value="${esc(k.slug)}">${esc(k.name_en)}</option>`).join("")}</select></form>` +
        `<p>${list.total} suggestions, page ${page} of ${Math.max(1, Math.ceil(list.total / 20))}</p><ol>${cards}</ol></main></body></html>`;
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  server.keepAliveTimeout = 5_000;
  server.listen(port, "127.0.0.1");
  const stop = () => server.close(() => void close().then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
