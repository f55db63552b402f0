// Demo and benchmark data: realistic users, organisations, suggestions (in
// English and some Urdu), supports, comments and tags, reproducible from a
// seed. `small` is for trying the app; `bench` is the national-scale data set
// of the benchmarks (50,000 users, 20,000 organisations, 100,000 suggestions,
// 1,000,000 supports, 200,000 comments). Rows are written in batches inside
// transactions; counters are set from the rows at the end, so they equal them.
import { fakerEN as faker } from "@faker-js/faker";
import { sql, type Kysely } from "kysely";
import type { DbHandle } from "../db/client";
import { seedTaxonomy } from "../db/seed";
import { hashPassword } from "~/auth/password.server";
import { ORGANISATION_TYPES, PROVINCES, SIZE_BANDS, STAGES, HORIZONS } from "~/lib/reference";
import { originalLanguageOf } from "~/models/original-language";
import { searchColumns } from "~/models/search.server";
import { trendingWeight } from "~/models/support.server";

export const DEMO_PASSWORD = "demo account on the margalla hills";

export interface DemoSize {
  users: number;
  organisations: number;
  submissions: number;
  supports: number;
  comments: number;
  recommendations: number;
}

const DEMO_SIZES: Record<"small" | "bench", DemoSize> = {
  small: { users: 200, organisations: 80, submissions: 300, supports: 3_000, comments: 600, recommendations: 5 },
  bench: { users: 50_000, organisations: 20_000, submissions: 100_000, supports: 1_000_000, comments: 200_000, recommendations: 300 },
};

export interface DemoProgress {
  start(step: string, total: number): void;
  tick(n: number): void;
  stop(): void;
}

const silent: DemoProgress = { start() {}, tick() {}, stop() {} };

/** A small deterministic PRNG (mulberry32), so a seed gives the same data set. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES: Record<string, string[]> = {
  punjab: ["Lahore", "Sialkot", "Faisalabad", "Gujranwala", "Multan", "Kasur", "Rawalpindi"],
  sindh: ["Karachi", "Hyderabad", "Sukkur"],
  "khyber-pakhtunkhwa": ["Peshawar", "Mardan", "Abbottabad"],
  balochistan: ["Quetta", "Gwadar"],
  islamabad: ["Islamabad"],
  "gilgit-baltistan": ["Gilgit", "Skardu"],
  "azad-kashmir": ["Muzaffarabad", "Mirpur"],
};

const TOPICS: Record<string, { en: string[]; ur: string[] }> = {
  it: {
    en: [
      "software export",
      "IT park",
      "freelancer payments",
      "cloud services",
      "data centre",
      "cyber security",
      "startup incubation",
      "remittance of export proceeds",
    ],
    ur: ["سافٹ ویئر برآمدات", "آئی ٹی پارک", "فری لانسرز کی ادائیگیاں", "ڈیٹا سینٹر"],
  },
  "food-processing": {
    en: ["cold chain", "halal certification", "fruit pulp", "rice processing", "food testing laboratory", "packaging", "mango export"],
    ur: ["کولڈ چین", "حلال سرٹیفیکیشن", "آم کی برآمد", "چاول کی پروسیسنگ"],
  },
  "surgical-instruments": {
    en: ["CE marking", "stainless steel supply", "sterilisation unit", "FDA registration", "forging machinery", "precision grinding"],
    ur: ["سرجیکل آلات کی برآمد", "اسٹین لیس اسٹیل", "سی ای مارکنگ"],
  },
  leather: {
    en: ["tannery effluent", "finished leather", "chrome-free tanning", "leather garments", "design centre", "hides and skins"],
    ur: ["چمڑے کی رنگائی", "ٹینری کا فضلہ", "چمڑے کے ملبوسات"],
  },
  pharmaceutical: {
    en: ["active ingredients", "WHO prequalification", "bioequivalence studies", "drug regulatory approvals", "API manufacturing"],
    ur: ["ادویات کی برآمد", "خام ادویاتی اجزاء", "رجسٹریشن کا عمل"],
  },
};

const ASKS_EN = [
  "Reduce sales tax on {t} for value-added exporters",
  "Set up a common facility for {t}",
  "Export refinance for {t} at concessional rates",
  "Fast-track approvals for {t}",
  "Train workers in {t}",
  "Attract joint ventures in {t}",
  "A technology upgrade fund for {t}",
  "Market access support for {t} in the EU and the Gulf",
];
const ASKS_UR = ["{t} کے لیے ٹیکس میں کمی", "{t} کے لیے مشترکہ سہولت مرکز", "{t} کے لیے برآمدی قرض", "{t} میں ہنرمند افرادی قوت کی تربیت"];

/** Exported only for the tests (tests/models/demo-seed.test.ts). */
export async function insertBatches<T extends Record<string, unknown>>(
  handle: DbHandle,
  table: string,
  rows: T[],
  progress: DemoProgress,
  batchSize = 500,
): Promise<void> {
  const db = handle.db as unknown as Kysely<Record<string, T>>;
  // One transaction per 20 batches: fast, and a crash loses at most one chunk.
  for (let i = 0; i < rows.length; i += batchSize * 20) {
    const chunk = rows.slice(i, i + batchSize * 20);
    await db.transaction().execute(async (trx) => {
      for (let j = 0; j < chunk.length; j += batchSize) {
        const batch = chunk.slice(j, j + batchSize);
        await trx
          .insertInto(table)
          .values(batch as never)
          .execute();
        progress.tick(batch.length);
      }
    });
    await nextTurn();
  }
}

/**
 * Lets the event loop turn. better-sqlite3 is synchronous, so on SQLite a
 * whole step would otherwise run without a timer firing: the progress bar
 * (redrawn by a timer) stood still until the step ended.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface DemoOutcome {
  users: number;
  organisations: number;
  submissions: number;
  supports: number;
  comments: number;
  recommendations: number;
}

/** Adds demo data to a migrated database. Refuses if demo users already exist. */
export async function seedDemo(
  handle: DbHandle,
  options: { size: "small" | "bench" | DemoSize; seed?: number; progress?: DemoProgress; now?: Date },
): Promise<DemoOutcome> {
  // A named size, or explicit counts (the crash tests want a few thousand suggestions: between the two).
  const size = typeof options.size === "string" ? DEMO_SIZES[options.size] : options.size;
  const progress = options.progress ?? silent;
  const rand = prng(options.seed ?? 20261129);
  faker.seed(options.seed ?? 20261129);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const now = options.now ?? new Date();
  const db = handle.db;

  await seedTaxonomy(db, now);
  const existing = await db
    .selectFrom("users")
    .select("id")
    .where("email_normalised", "like", "demo.%@example.pk")
    .limit(1)
    .executeTakeFirst();
  if (existing) throw new Error("demo data is already there (users demo.N@example.pk exist); use a fresh database");

  const consultation = await db
    .selectFrom("consultations")
    .select(["id", "created_at", "support_opens_at"])
    .where("is_active", "=", 1)
    .executeTakeFirstOrThrow();
  const clusters = await db.selectFrom("clusters").select(["id", "slug"]).where("archived", "=", 0).orderBy("sort_order").execute();
  const categories = await db.selectFrom("categories").select(["id", "slug"]).execute();
  const moderator = await db
    .selectFrom("users")
    .select("id")
    .where("role", "in", ["moderator", "organiser", "admin"])
    .limit(1)
    .executeTakeFirst();
  const idBase = async (table: "organisations" | "users" | "submissions" | "comments" | "recommendations") =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.max<number>("id").as("m"))
          .executeTakeFirst()
      )?.m ?? 0,
    );

  // The activity spreads over the last 30 days (or since the consultation began).
  const start = Math.max(Date.parse(consultation.created_at) - 30 * 86_400_000, now.getTime() - 30 * 86_400_000);
  const span = now.getTime() - start;
  const at = (fraction: number) => new Date(start + Math.floor(fraction * span)).toISOString();

  // Organisations
  const orgBase = await idBase("organisations");
  progress.start("organisations", size.organisations);
  const orgs = Array.from({ length: size.organisations }, (_, i) => {
    const province = rand() < 0.6 ? "punjab" : pick(PROVINCES);
    const name = `${faker.company.name()} ${i + 1}`;
    return {
      id: orgBase + i + 1,
      name,
      name_normalised: name.toLowerCase(),
      type: rand() < 0.8 ? "firm" : pick(ORGANISATION_TYPES),
      size_band: pick(SIZE_BANDS),
      city: pick(CITIES[province]),
      province,
      cluster_id: pick(clusters).id,
      registration_number: rand() < 0.5 ? `DEMO-${orgBase + i + 1}` : null,
      verified: rand() < 0.3 ? 1 : 0,
      verified_at: null,
      verified_by: null,
      created_at: at(rand() * 0.2),
    };
  });
  await insertBatches(handle, "organisations", orgs, progress);
  progress.stop();

  // Users: one shared password hash (hashing 50,000 times would take minutes and prove nothing).
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const userBase = await idBase("users");
  progress.start("users", size.users);
  const users = Array.from({ length: size.users }, (_, i) => {
    const created = at(rand() * 0.5);
    return {
      id: userBase + i + 1,
      email: `demo.${i + 1}@example.pk`,
      email_normalised: `demo.${i + 1}@example.pk`,
      display_name: faker.person.fullName(),
      password_hash: passwordHash,
      role: "stakeholder",
      status: "active",
      organisation_id: orgs[i % orgs.length].id,
      show_organisation: rand() < 0.5 ? 1 : 0,
      locale: rand() < 0.4 ? "ur" : "en",
      created_at: created,
      updated_at: created,
      deleted_at: null,
      // demo people are confirmed: the demo shows a consultation under way (ADR 0026)
      email_confirmed_at: created,
    };
  });
  await insertBatches(handle, "users", users, progress);
  progress.stop();

  // Submissions: mostly published, some pending, a few rejected or withdrawn.
  const subBase = await idBase("submissions");
  progress.start("suggestions", size.submissions);
  const subs = Array.from({ length: size.submissions }, (_, i) => {
    const cluster = pick(clusters);
    const topics = TOPICS[cluster.slug] ?? TOPICS.it;
    const urdu = rand() < 0.15;
    const topic = urdu ? pick(topics.ur) : pick(topics.en);
    const title = (urdu ? pick(ASKS_UR) : pick(ASKS_EN)).replace("{t}", topic);
    const problem = urdu
      ? `${topic} کی کمی کی وجہ سے ہماری برآمدات متاثر ہو رہی ہیں۔ ${faker.lorem.sentence()}`
      : `Exporters in ${pick(CITIES.punjab)} lose orders because of ${topic}. ${faker.lorem.sentences(2)}`;
    const proposal = urdu
      ? `حکومت ${topic} کے لیے خصوصی اسکیم شروع کرے۔ ${faker.lorem.sentence()}`
      : `The authority should ${faker.word.verb()} a programme for ${topic} with the chamber. ${faker.lorem.sentences(2)}`;
    const expected = rand() < 0.6 ? faker.lorem.sentence() : "";
    const author = users[Math.floor(rand() * users.length)];
    const r = rand();
    const status = r < 0.85 ? "published" : r < 0.93 ? "pending" : r < 0.97 ? "rejected" : "withdrawn";
    const created = at(rand() * 0.9);
    const published = status === "published" || status === "withdrawn" ? new Date(Date.parse(created) + 3_600_000).toISOString() : null;
    return {
      id: subBase + i + 1,
      consultation_id: consultation.id,
      cluster_id: cluster.id,
      author_id: author.id,
      organisation_id: author.organisation_id,
      title,
      problem,
      proposal,
      expected_impact: expected,
      stage: rand() < 0.8 ? pick(STAGES) : null,
      suggested_category_id: rand() < 0.7 ? pick(categories).id : null,
      horizon: rand() < 0.7 ? pick(HORIZONS) : null,
      status,
      source: rand() < 0.9 ? "web" : "workshop",
      merged_into_id: null,
      reject_reason_code: status === "rejected" ? "off-topic" : null,
      reject_reason: status === "rejected" ? "Outside the export focus of this consultation." : null,
      supporters_count: 0,
      comments_count: 0,
      random_key: Math.floor(rand() * 2 ** 31),
      trending_score: 0,
      ...searchColumns({ title, problem, proposal, expected_impact: expected }),
      original_language: originalLanguageOf(title, problem, proposal, expected),
      created_at: created,
      updated_at: published ?? created,
      published_at: published,
    };
  });
  await insertBatches(handle, "submissions", subs, progress, 200);
  progress.stop();

  const published = subs.filter((s) => s.status === "published");

  // Categories: one to three per published suggestion, as a moderator tagged them.
  progress.start("tags", published.length);
  const tags: Array<Record<string, unknown>> = [];
  for (const s of published) {
    const n = 1 + Math.floor(rand() * 3);
    const chosen = new Set<number>();
    if (s.suggested_category_id) chosen.add(s.suggested_category_id);
    while (chosen.size < n) chosen.add(pick(categories).id);
    for (const c of chosen) tags.push({ submission_id: s.id, category_id: c, tagged_by: moderator?.id ?? null, tagged_at: s.published_at });
  }
  await insertBatches(handle, "submission_categories", tags, { ...progress, tick: () => {} });
  progress.tick(published.length);
  progress.stop();

  // Supports: a skewed popularity (a few suggestions draw many supporters), one per person per suggestion.
  progress.start("supports", size.supports);
  const weights = published.map(() => Math.pow(rand(), 3) + 0.02);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const trending = new Map<number, number>();
  const counts = new Map<number, number>();
  const userOrg = new Map(users.map((u) => [u.id, u.organisation_id]));
  const orgProvince = new Map(orgs.map((o) => [o.id, o.province]));
  const orgSets = new Map<number, Set<number>>();
  const provinceSets = new Map<number, Set<string>>();
  const supportRows: Array<Record<string, unknown>> = [];
  const flush = async () => {
    await insertBatches(handle, "supports", supportRows.splice(0), progress);
  };
  let remaining = size.supports;
  for (let k = 0; k < published.length && remaining > 0; k++) {
    const s = published[k];
    const want = k === published.length - 1 ? remaining : Math.min(remaining, Math.round((weights[k] / totalWeight) * size.supports));
    const n = Math.min(want, users.length - 1);
    const chosen = new Set<number>();
    while (chosen.size < n) {
      const u = users[Math.floor(rand() * users.length)];
      if (u.id !== s.author_id) chosen.add(u.id);
    }
    let score = 0;
    for (const u of chosen) {
      const when = new Date(Date.parse(s.published_at!) + rand() * (now.getTime() - Date.parse(s.published_at!))).toISOString();
      score += trendingWeight(when, consultation.created_at);
      const orgId = userOrg.get(u)!;
      supportRows.push({
        submission_id: s.id,
        user_id: u,
        cluster_id: s.cluster_id,
        consultation_id: s.consultation_id,
        merged_from_id: null,
        organisation_id: orgId,
        province: orgProvince.get(orgId) ?? null,
        created_at: when,
      });
      (orgSets.get(s.id) ?? orgSets.set(s.id, new Set()).get(s.id)!).add(orgId);
      (provinceSets.get(s.id) ?? provinceSets.set(s.id, new Set()).get(s.id)!).add(orgProvince.get(orgId) ?? "");
    }
    trending.set(s.id, score);
    counts.set(s.id, chosen.size);
    remaining -= chosen.size;
    if (supportRows.length >= 50_000) await flush();
  }
  await flush();
  progress.stop();

  // Comments, with some replies.
  const commentBase = await idBase("comments");
  progress.start("comments", size.comments);
  const commentRows: Array<Record<string, unknown>> = [];
  const commentCounts = new Map<number, number>();
  const topLevel: Array<{ id: number; submission: number }> = [];
  for (let i = 0; i < size.comments; i++) {
    const reply = topLevel.length > 0 && rand() < 0.25;
    const parent = reply ? topLevel[Math.floor(rand() * topLevel.length)] : null;
    const s = parent ? subs[parent.submission - subBase - 1] : published[Math.floor(Math.pow(rand(), 2) * published.length)];
    const id = commentBase + i + 1;
    const when = new Date(Date.parse(s.published_at!) + rand() * (now.getTime() - Date.parse(s.published_at!))).toISOString();
    const author = users[Math.floor(rand() * users.length)].id;
    const body = rand() < 0.15 ? "متفق ہوں، یہ ہمارے کلسٹر کے لیے بہت ضروری ہے۔" : faker.lorem.sentences(1 + Math.floor(rand() * 3));
    commentRows.push({
      id,
      submission_id: s.id,
      author_id: author,
      parent_id: parent?.id ?? null,
      body,
      original_language: originalLanguageOf(body),
      status: "visible",
      created_at: when,
      updated_at: when,
    });
    if (!parent) topLevel.push({ id, submission: s.id });
    commentCounts.set(s.id, (commentCounts.get(s.id) ?? 0) + 1);
    trending.set(s.id, (trending.get(s.id) ?? 0) + trendingWeight(when, consultation.created_at));
  }
  await insertBatches(handle, "comments", commentRows, progress);
  progress.stop();

  // Counters from the rows just written: one UPDATE … FROM (VALUES …) per 1,000
  // suggestions (one statement per suggestion took ~85,000 round trips on PostgreSQL).
  progress.start("counters", published.length);
  const int = (n: number) => sql`cast(${n} as integer)`;
  for (let i = 0; i < published.length; i += 1000) {
    const chunk = published.slice(i, i + 1000);
    const values = sql.join(
      chunk.map(
        (s) =>
          sql`(${int(s.id)}, ${int(counts.get(s.id) ?? 0)}, ${int(orgSets.get(s.id)?.size ?? 0)}, ${int(provinceSets.get(s.id)?.size ?? 0)}, ${int(commentCounts.get(s.id) ?? 0)}, cast(${trending.get(s.id) ?? 0} as double precision))`,
      ),
    );
    await sql`with v(id, supporters, organisations, provinces, comments, trending) as (values ${values})
      update submissions set supporters_count = v.supporters, supporting_organisations = v.organisations, supporting_provinces = v.provinces,
      comments_count = v.comments, trending_score = v.trending from v where submissions.id = v.id`.execute(db);
    progress.tick(chunk.length);
    await nextTurn();
  }
  progress.stop();

  // Recommendations linking a few suggestions each.
  const recBase = await idBase("recommendations");
  const recs = Array.from({ length: size.recommendations }, (_, i) => ({
    id: recBase + i + 1,
    consultation_id: consultation.id,
    title: `${pick(ASKS_EN).replace("{t}", pick(TOPICS[pick(clusters).slug]?.en ?? TOPICS.it.en))}`,
    text: faker.lorem.paragraph(),
    priority: 1 + Math.floor(rand() * 5),
    dissent: rand() < 0.2 ? faker.lorem.sentence() : "",
    status: rand() < 0.7 ? "final" : "draft",
    response_status: null,
    response_text: null,
    responsible_agency: null,
    response_date: null,
    created_by: moderator?.id ?? null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  }));
  await insertBatches(handle, "recommendations", recs, silent);
  const links = new Map<string, Record<string, unknown>>();
  for (const r of recs) {
    for (let k = 0; k < 2 + Math.floor(rand() * 4); k++) {
      const s = published[Math.floor(rand() * published.length)];
      links.set(`${r.id}:${s.id}`, {
        recommendation_id: r.id,
        submission_id: s.id,
        linked_by: moderator?.id ?? null,
        linked_at: now.toISOString(),
      });
    }
  }
  await insertBatches(handle, "recommendation_submissions", [...links.values()], silent);

  if (handle.dialect === "postgres") {
    // Explicit ids were inserted: move the identity sequences past them.
    for (const table of ["organisations", "users", "submissions", "comments", "recommendations"]) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select coalesce(max(id), 1) from ${sql.table(table)}))`.execute(db);
    }
    await sql`analyze`.execute(db);
  } else {
    await sql`analyze`.execute(db);
  }

  const supportsWritten = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    users: users.length,
    organisations: orgs.length,
    submissions: subs.length,
    supports: supportsWritten,
    comments: commentRows.length,
    recommendations: recs.length,
  };
}
