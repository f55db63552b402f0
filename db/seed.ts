// Seeds the taxonomy (clusters, issue categories, value-chain stages in English
// and Urdu) and the default consultation. Idempotent: existing rows are left as
// they are, so an admin's renames survive a restart.
import type { DB } from "./client";
import taxonomy from "./taxonomy.json";

const DEFAULT_WINDOW_DAYS = 90;

export interface SeedOutcome {
  clusters: number;
  categories: number;
  stages: number;
  consultationCreated: boolean;
}

export async function seedTaxonomy(db: DB, now: Date = new Date()): Promise<SeedOutcome> {
  return db.transaction().execute(async (trx) => {
    let clusters = 0;
    for (const [i, c] of taxonomy.clusters.entries()) {
      const r = await trx
        .insertInto("clusters")
        .values({ slug: c.slug, name_en: c.en, name_ur: c.ur, sort_order: i, archived: 0 })
        .onConflict((oc) => oc.column("slug").doNothing())
        .executeTakeFirst();
      clusters += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    let categories = 0;
    for (const [i, c] of taxonomy.categories.entries()) {
      const r = await trx
        .insertInto("categories")
        .values({
          slug: c.slug,
          name_en: c.en,
          name_ur: c.ur,
          hint_en: c.hint_en ?? "",
          hint_ur: "",
          sort_order: i,
          archived: 0,
        })
        .onConflict((oc) => oc.column("slug").doNothing())
        .executeTakeFirst();
      categories += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    let stages = 0;
    for (const [i, s] of taxonomy.stages.entries()) {
      const r = await trx
        .insertInto("stages")
        .values({ slug: s.slug, name_en: s.en, name_ur: s.ur, sort_order: i })
        .onConflict((oc) => oc.column("slug").doNothing())
        .executeTakeFirst();
      stages += Number(r.numInsertedOrUpdatedRows ?? 0);
    }

    const dc = taxonomy.default_consultation;
    const active = await trx.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirst();
    const iso = now.toISOString();
    const closes = new Date(now.getTime() + DEFAULT_WINDOW_DAYS * 86_400_000).toISOString();
    const r = await trx
      .insertInto("consultations")
      .values({
        slug: dc.slug,
        title_en: dc.en,
        title_ur: dc.ur,
        description_en:
          "Suggest the interventions your cluster needs to grow its exports, support the suggestions you agree with, and follow what the conference and the government make of them.",
        description_ur:
          "اپنے کلسٹر کی برآمدات بڑھانے کے لیے درکار اقدامات تجویز کریں، جن تجاویز سے آپ متفق ہیں ان کی حمایت کریں، اور دیکھیں کہ کانفرنس اور حکومت ان کے ساتھ کیا کرتی ہیں۔",
        is_active: active ? 0 : 1,
        submission_opens_at: iso,
        submission_closes_at: closes,
        support_opens_at: iso,
        support_closes_at: closes,
        support_budget: 0,
        allow_self_support: 0,
        reports_to_hide: 3,
        created_at: iso,
        updated_at: iso,
      })
      .onConflict((oc) => oc.column("slug").doNothing())
      .executeTakeFirst();
    return { clusters, categories, stages, consultationCreated: Number(r.numInsertedOrUpdatedRows ?? 0) > 0 };
  });
}
