// The conference briefing as a Word document (the `docx` library): the same
// content as /organiser/briefing, in the viewer's language; Urdu paragraphs,
// runs and tables are right-to-left (bidi).
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from "docx";
import { formatNumber, type Digits } from "./format";
import type { TFunction } from "i18next";
import type { BriefingData } from "~/models/briefing.server";
import { localName } from "./i18n";
import { coverageView, leftOutBound } from "./coverage-view.server";
import { figuresView } from "./recommendation-view.server";

export async function briefingDocx(
  b: BriefingData,
  t: TFunction,
  lng: string,
  preparedOn: string,
  digits: Digits = "native",
  consultationTitle = "",
): Promise<Buffer> {
  const rtl = lng === "ur";
  // Word shapes and proofs Urdu as a complex script: the run says so (w:rtl, w:lang w:bidi).
  // `lang`: a recommendation's text in the other language than the document's (its version in the document's is missing; ADR 0032).
  type TextOpts = { bold?: boolean; lang?: string };
  const isRtl = (opts: TextOpts) => (opts.lang ?? lng) === "ur";
  const run = (text: string, opts: TextOpts = {}) =>
    new TextRun({
      text,
      bold: opts.bold,
      rightToLeft: isRtl(opts),
      font: { name: isRtl(opts) ? "Noto Nastaliq Urdu" : "Calibri" },
      language: isRtl(opts) ? { value: "ur-PK", bidirectional: "ur-PK" } : { value: "en-GB" },
    });
  const para = (text: string, opts: TextOpts & { heading?: (typeof HeadingLevel)[keyof typeof HeadingLevel] } = {}) =>
    new Paragraph({
      children: text.split("\n").flatMap((line, i) => (i ? [new TextRun({ break: 1 }), run(line, opts)] : [run(line, opts)])),
      heading: opts.heading,
      bidirectional: isRtl(opts),
      alignment: isRtl(opts) ? AlignmentType.RIGHT : AlignmentType.LEFT,
    });
  const table = (header: string[], rows: string[][]) =>
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      visuallyRightToLeft: rtl,
      rows: [header, ...rows].map(
        (cells, i) =>
          new TableRow({ tableHeader: i === 0, children: cells.map((c) => new TableCell({ children: [para(c, { bold: i === 0 })] })) }),
      ),
    });
  const n = (v: number) => formatNumber({ lng, digits }, v);
  const scope = b.cluster ? localName(b.cluster, lng) : t("briefing.allClusters");

  const children: Array<Paragraph | Table> = [
    para(t("briefing.title"), { heading: HeadingLevel.TITLE }),
    ...(consultationTitle ? [para(consultationTitle)] : []),
    para(`${t("briefing.cluster")}: ${scope}`),
    para(`${t("briefing.prepared")}: ${preparedOn}`),
    para(t("briefing.summary"), { heading: HeadingLevel.HEADING_1 }),
    table(
      [
        t("briefing.suggestions"),
        t("briefing.supporters"),
        t("briefing.organisations"),
        t("briefing.verifiedOrganisations"),
        t("briefing.recommendations"),
      ],
      [
        [
          n(b.summary.suggestions),
          n(b.summary.supporters),
          n(b.summary.organisations),
          n(b.summary.verifiedOrganisations),
          n(b.summary.recommendations),
        ],
      ],
    ),
  ];
  if (!b.sections.length) children.push(para(t("briefing.none")));
  for (const section of b.sections) {
    children.push(
      para(section.cluster ? localName(section.cluster, lng) : t("briefing.crossCluster"), { heading: HeadingLevel.HEADING_1 }),
    );
    for (const r of section.recommendations) {
      const f = figuresView(r.figures, t, lng);
      children.push(para(`R-${r.id} ${r.title}`, { heading: HeadingLevel.HEADING_2, lang: r.lang }));
      if (r.missing) children.push(para(t("recommendation.language.missing"), { bold: true }));
      children.push(para(`${t("briefing.priority")}: ${r.priority}`, { bold: true }));
      children.push(para(r.text, { lang: r.lang }));
      children.push(para(t("briefing.support"), { heading: HeadingLevel.HEADING_3 }));
      children.push(
        para(
          `${t("briefing.uniqueSupporters")}: ${n(f.uniqueSupporters)} (${t("briefing.fromVerified")}: ${n(f.verifiedSupporters)})` +
            `${t("app.separator")}${t("briefing.organisations")}: ${n(f.organisations)} (${t("briefing.verified")}: ${n(f.verifiedOrganisations)})` +
            `${t("app.separator")}${t("briefing.provinces")}: ${n(f.provinces)}`,
        ),
      );
      for (const [caption, rows] of [
        [t("recommendation.figures.byCluster"), f.byCluster],
        [t("recommendation.figures.bySize"), f.bySize],
        [t("recommendation.figures.byProvince"), f.byProvince],
      ] as const) {
        if (!rows.length) continue;
        children.push(para(caption, { bold: true }));
        children.push(
          table(
            [t("recommendation.figures.group"), t("recommendation.figures.count")],
            rows.map((x) => [x.label, n(x.supporters)]),
          ),
        );
      }
      if (r.dissent) {
        children.push(para(t("briefing.dissent"), { heading: HeadingLevel.HEADING_3 }));
        if (r.dissentMissing) children.push(para(t("recommendation.language.dissentMissing"), { bold: true }));
        children.push(para(r.dissent, { lang: r.dissentLang }));
      }
      if (r.responseStatus) {
        children.push(para(t("briefing.response"), { heading: HeadingLevel.HEADING_3 }));
        children.push(
          para(
            `${t(`recommendation.response.statuses.${r.responseStatus}`, { defaultValue: r.responseStatus })}${t("app.separator")}${r.responsibleAgency ?? ""}${t("app.separator")}${r.responseDate ?? ""}`,
          ),
        );
        if (r.responseText) children.push(para(r.responseText));
      }
      if (r.progress) {
        children.push(para(t("recommendation.progress.title"), { heading: HeadingLevel.HEADING_3 }));
        children.push(
          para(
            `${t(`recommendation.progress.statuses.${r.progress.status}`, { defaultValue: r.progress.status })}${t("app.separator")}${r.progress.date}`,
          ),
        );
        children.push(para(r.progress.text));
      }
      children.push(para(`${t("briefing.sources")}: ${r.sourceNumbers.length ? r.sourceNumbers.map((x) => `[${x}]`).join(" ") : "—"}`));
    }
  }
  // Coverage and what was left out (issue 19), after the recommendations.
  const cov = coverageView(b.coverage.figures, t, lng, digits);
  const coverageHeader = (name: string) => [
    name,
    t("coverage.col.suggestions"),
    t("coverage.col.coveredSuggestions"),
    t("coverage.col.suggestionShare"),
    t("coverage.col.supporters"),
    t("coverage.col.coveredSupporters"),
    t("coverage.col.supporterShare"),
  ];
  const coverageCells = (r: (typeof cov)["overall"]) => [
    n(r.suggestions),
    n(r.coveredSuggestions),
    r.suggestionShare,
    n(r.supporters),
    n(r.coveredSupporters),
    r.supporterShare,
  ];
  children.push(para(t("briefing.coverage"), { heading: HeadingLevel.HEADING_1 }));
  children.push(para(t("coverage.intro")));
  children.push(
    table(coverageHeader(t("coverage.scope")), [
      [t("coverage.overall"), ...coverageCells(cov.overall)],
      ...(cov.byCluster.length > 1 ? cov.byCluster.map((r) => [r.name, ...coverageCells(r)]) : []),
    ]),
  );
  if (cov.byCategory.length) {
    children.push(para(t("coverage.byCategory"), { bold: true }));
    children.push(
      table(
        coverageHeader(t("coverage.col.category")),
        cov.byCategory.map((r) => [r.name, ...coverageCells(r)]),
      ),
    );
  }
  children.push(para(t("briefing.leftOut"), { heading: HeadingLevel.HEADING_2 }));
  children.push(para(leftOutBound(t, lng, digits, b.coverage.leftOut)));
  if (b.coverage.leftOut.rows.length)
    children.push(
      table(
        [
          t("briefing.annexSuggestion"),
          t("briefing.annexTitle"),
          t("briefing.annexCluster"),
          t("briefing.annexSupporters"),
          t("briefing.leftOutReason"),
        ],
        b.coverage.leftOut.rows.map((r) => [
          `#${r.id}`,
          r.title,
          localName({ name_en: r.cluster_name_en, name_ur: r.cluster_name_ur }, lng),
          n(r.supporters),
          r.reason ?? t("briefing.noReason"),
        ]),
      ),
    );
  children.push(para(t("briefing.annex"), { heading: HeadingLevel.HEADING_1 }));
  children.push(
    table(
      [
        t("briefing.annexNumber"),
        t("briefing.annexSuggestion"),
        t("briefing.annexTitle"),
        t("briefing.annexCluster"),
        t("briefing.annexSupporters"),
        t("briefing.annexOrganisations"),
        t("briefing.annexStatus"),
      ],
      b.annex.map((s) => [
        `[${s.n}]`,
        `#${s.id}`,
        s.title,
        localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng),
        n(s.supporters),
        n(s.organisations),
        t(`status.${s.status}`, { defaultValue: s.status }),
      ]),
    ),
  );
  const doc = new Document({
    title: t("briefing.title"),
    creator: t("app.name"),
    sections: [{ properties: {}, children }],
  });
  return Packer.toBuffer(doc);
}
