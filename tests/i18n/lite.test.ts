// The browser's lite translator must say exactly what i18next says on the
// server (else hydration breaks and pages change their words): every key of
// both locale files, with and without counts and values, through the strings a
// page carries (app/lib/i18n-page.server.ts) and through the whole file.
import { describe, expect, it } from "vitest";
import { createLiteI18n, flatten } from "~/lib/i18n-lite";
import { appendAtEnd, pageStrings, pageStringsScript, recordingI18n, renderTranslator } from "~/lib/i18n-page.server";
import { interpolationFormat, type Digits } from "~/lib/format";
import { RULE_NUMBERS } from "~/lib/i18n";
import { i18nFor, resources } from "~/lib/i18next.server";

const COUNTS = [0, 1, 2, 3, 5, 11, 21, 101, 1000];
const VALUES = {
  name: "Ayesha <Khan>",
  page: 2,
  pages: 7,
  id: 42,
  size: "Small",
  type: "Firm",
  status: "Published",
  email: "a@b.pk",
  date: "1 May 2026",
  n: 3,
};

function baseKeys(lng: "en" | "ur"): string[] {
  const flat = flatten(resources[lng].common as Record<string, unknown>);
  return [...new Set(Object.keys(flat).map((k) => k.replace(/_(zero|one|two|few|many|other)$/, "")))];
}

// Numbers inside translations come out in the reader's digits on both sides.
const READERS: Array<["en" | "ur", Digits]> = [
  ["en", "native"],
  ["ur", "native"],
  ["ur", "western"],
];
for (const [lng, digits] of READERS) {
  describe(`lite translator = i18next (${lng}, ${digits} digits)`, () => {
    const full = i18nFor(lng, digits).getFixedT(lng, "common");
    const format = interpolationFormat(digits);
    const keys = baseKeys(lng);

    it("every key, plain, with values and with counts, from the whole file", () => {
      const lite = createLiteI18n({
        lng,
        strings: flatten(resources[lng].common as Record<string, unknown>),
        complete: true,
        load: async () => ({}),
        format,
        defaults: RULE_NUMBERS,
      });
      expect(keys.length).toBeGreaterThan(100);
      for (const key of keys) {
        expect(lite.t(key), key).toBe(full(key));
        expect(lite.t(key, VALUES), key).toBe(full(key, VALUES));
        for (const count of COUNTS)
          expect(lite.t(key, { ...VALUES, count }), `${key} count=${count}`).toBe(full(key, { ...VALUES, count }));
      }
      expect(lite.t("no.such.key")).toBe(full("no.such.key"));
      expect(lite.t("no.such.key", { defaultValue: "As {{name}}", name: "is" })).toBe(
        full("no.such.key", { defaultValue: "As {{name}}", name: "is" }),
      );
    });

    it("the server render's translator (lite, whole file, recorded) says what i18next says", () => {
      const { i18n, used } = recordingI18n(i18nFor(lng, digits), renderTranslator(lng, digits));
      const t = i18n.getFixedT(lng, "common");
      for (const key of keys) {
        expect(t(key), key).toBe(full(key));
        expect(t(key, VALUES), key).toBe(full(key, VALUES));
        for (const count of COUNTS) expect(t(key, { ...VALUES, count }), `${key} count=${count}`).toBe(full(key, { ...VALUES, count }));
      }
      expect(t(["no.such.key", keys[3]])).toBe(full(["no.such.key", keys[3]]));
      expect(t("no.such.key", { defaultValue: "As {{name}}", name: "is" })).toBe(
        full("no.such.key", { defaultValue: "As {{name}}", name: "is" }),
      );
      expect(used.size).toBe(keys.length + 1);
    });

    it("from only the strings a page recorded, nothing else", async () => {
      const { i18n, used } = recordingI18n(i18nFor(lng, digits));
      const t = i18n.getFixedT(lng, "common");
      const sample = keys.filter((_, i) => i % 7 === 0);
      for (const key of sample) t(key, { count: 2 });
      t("no.such.key");
      expect([...used].sort()).toEqual([...sample, "no.such.key"].sort());
      let loads = 0;
      const lite = createLiteI18n({
        lng,
        strings: pageStrings(lng, used),
        load: async () => (loads++, {}),
        format,
        defaults: RULE_NUMBERS,
      });
      for (const key of sample)
        for (const count of COUNTS) expect(lite.t(key, { ...VALUES, count }), key).toBe(full(key, { ...VALUES, count }));
      // A key the server looked up and found nothing for answers as i18next does, without fetching.
      expect(lite.t("no.such.key")).toBe("no.such.key");
      expect(loads).toBe(0);
      // A string the page did not bring: nothing shown (never the raw key) while the whole file is fetched.
      const other = keys.find((k) => !used.has(k))!;
      expect(lite.t(other)).toBe("");
      expect(loads).toBe(1);
    });
  });
}

describe("the page's strings on the wire", () => {
  it("cannot close their script element and come after everything React wrote", async () => {
    const script = pageStringsScript("en", ["</script><script>alert(1)</script>"]);
    expect(script.match(/<\/script>/g)).toHaveLength(1);
    const stream = appendAtEnd(() => "[tail]");
    const out: string[] = [];
    stream.on("data", (c) => out.push(String(c)));
    stream.write("<html><body>a");
    stream.end("b</body></html><script>x</script>");
    await new Promise((r) => stream.on("end", r));
    expect(out.join("")).toBe("<html><body>ab</body></html><script>x</script>[tail]");
  });

  it("the lite translator fetches the whole file once and tells its listeners", async () => {
    let loads = 0;
    const lite = createLiteI18n({
      lng: "ur",
      strings: {},
      load: async (l) => (loads++, resources[l as "ur"].common as Record<string, unknown>),
    });
    let heard = 0;
    lite.subscribe(() => heard++);
    const before = lite.t;
    expect(lite.t("nav.skip")).toBe("");
    await Promise.all([lite.loadAll(), lite.loadAll()]);
    expect(loads).toBe(1);
    expect(heard).toBe(1);
    expect(lite.t).not.toBe(before);
    expect(lite.t("nav.skip")).toBe(i18nFor("ur").getFixedT("ur", "common")("nav.skip"));
    await lite.changeLanguage("en");
    expect(lite.language).toBe("en");
    expect(lite.t("nav.skip")).toBe(i18nFor("en").getFixedT("en", "common")("nav.skip"));
  });
});
