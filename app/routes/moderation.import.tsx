import { parseWithZod } from "@conform-to/zod/v4";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { formatNumber } from "~/lib/format";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { rememberSimilarInBackground } from "~/models/moderation-queue.server";
import { requireRole } from "~/auth/guards.server";
import { NumberText } from "~/components/dates";
import { useErrorText } from "~/components/form";
import { refuse } from "~/lib/form-action.server";
import { readUploadForm } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { ImportOptionsSchema } from "~/lib/moderation-schemas.server";
import { PROVINCES, STAGES } from "~/lib/reference";
import { IMPORT_COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, REQUIRED_IMPORT_COLUMNS } from "~/lib/import-format";
import { IMPORT_REFUSALS, importSubmissions, type ImportProblem } from "~/models/import.server";
import { listClusters } from "~/models/taxonomy.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

/** The most problems one page lists; the rest are counted. */
const PROBLEMS_SHOWN = 200;

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  const { t, lng, digits } = await getFixedT(args.request, args.context);
  const clusters = await listClusters(args.context.db);
  const imported = new URL(args.request.url).searchParams.get("imported");
  const numbers = { format: (v: number) => formatNumber({ lng, digits }, v) };
  return {
    title: `${t("import.title")} · ${t("app.name")}`,
    imported: imported && /^\d{1,6}$/.test(imported) ? Number(imported) : null,
    limits: { mb: numbers.format(MAX_IMPORT_BYTES / 1024 / 1024), rows: numbers.format(MAX_IMPORT_ROWS) },
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
  };
}

/** The upload's refusals, as the import's reasons. */
const UPLOAD_REFUSALS = { 413: "tooLarge", 415: "notMultipart", 400: "badUpload" } as const;

/**
 * A refused import: the one refusal shape, with the rows' problems (the first
 * PROBLEMS_SHOWN, the rest counted) and the file's name beside it.
 */
function importRefused(reason: keyof typeof IMPORT_REFUSALS, problems: ImportProblem[] = [], fileName: string | null = null) {
  // Not multipart reads as "choose a file" too: what the person can do about it is the same.
  const message = `import.refused.${reason === "notMultipart" ? "noFile" : reason}`;
  return refuse(reason, IMPORT_REFUSALS, {
    field: "file",
    message,
    extra: { problems: problems.slice(0, PROBLEMS_SHOWN), moreProblems: Math.max(0, problems.length - PROBLEMS_SHOWN), fileName },
  });
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "moderator");
  // The file is read by the upload parser (with its size limit); the other fields by the schema.
  const upload = await readUploadForm(args.request, MAX_IMPORT_BYTES);
  if (!upload.ok) return importRefused(UPLOAD_REFUSALS[upload.status]);
  const file = upload.form.get("file");
  if (!(file instanceof File) || (file.size === 0 && !file.name)) return importRefused("noFile");
  const options = parseWithZod(upload.form, { schema: ImportOptionsSchema });
  const dryRun = options.status === "success" && options.value.dryRun;
  const result = await importSubmissions(args.context.db, {
    file: new Uint8Array(await file.arrayBuffer()),
    fileName: file.name,
    actor: { id: user.id, role: user.role },
    dryRun,
  });
  if (!result.ok) return importRefused(result.reason, result.problems, file.name);
  if (!result.dryRun) {
    // Likely-duplicate hints for the queue: one similarity search per row is
    // too slow for the request (tens of ms each at national scale), so they are
    // found in the background, one row after another.
    rememberSimilarInBackground(args.context, result.submissionIds);
    return redirect(`/moderation/import?imported=${result.rows}`, 303);
  }
  return {
    outcome: "checked" as const,
    rows: result.rows,
    organisationsMatched: result.organisationsMatched,
    organisationsCreated: result.organisationsCreated,
    fileName: file.name,
  };
}

export default function ModerationImport() {
  const { imported, limits, clusters } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const errorText = useErrorText();
  const refused = actionData && "refusal" in actionData && actionData.refusal ? { ...actionData, refusal: actionData.refusal } : null;
  const checked = actionData && "outcome" in actionData ? actionData : null;
  const allowed: Partial<Record<(typeof IMPORT_COLUMNS)[number], Array<{ slug: string; name: string }>>> = {
    cluster: clusters,
    province: PROVINCES.map((slug) => ({ slug, name: t(`province.${slug}`) })),
    stage: STAGES.map((slug) => ({ slug, name: t(`stage.${slug}`) })),
  };
  return (
    <div className="narrow narrow--wide">
      <h1>{t("import.title")}</h1>
      <p>{t("import.intro")}</p>
      <p>
        <Link to="/moderation/workshop">{t("import.workshopLink")}</Link>
      </p>

      {imported !== null && !actionData ? (
        <div className="notice" role="status">
          <p>{t("import.imported", { count: imported })}</p>
          <p>
            <Link to="/moderation">{t("import.toQueue")}</Link>
          </p>
        </div>
      ) : null}

      {checked ? (
        <div className="notice" role="status">
          <p>
            <bdi>{checked.fileName}</bdi>: {t("import.dryRunOk", { count: checked.rows })}
          </p>
          <p>{t("import.organisations", { matched: checked.organisationsMatched, created: checked.organisationsCreated })}</p>
        </div>
      ) : null}

      {refused ? (
        <div className="error-summary" role="alert" aria-labelledby="import-refused-title" tabIndex={-1}>
          <h2 id="import-refused-title">{t("import.refusedTitle")}</h2>
          <p>
            {refused.fileName ? (
              <>
                <bdi>{refused.fileName}</bdi>:{" "}
              </>
            ) : null}
            <a href="#import-file">{t(refused.refusal.message, { mb: limits.mb, rows: limits.rows })}</a>
          </p>
        </div>
      ) : null}

      {refused?.problems.length ? (
        <div className="table-wrap">
          <table id="import-problems">
            <caption>{t("import.problemsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("import.line")}</th>
                <th scope="col">{t("import.column")}</th>
                <th scope="col">{t("import.problem")}</th>
              </tr>
            </thead>
            <tbody>
              {refused.problems.map((p, i) => (
                <tr key={i}>
                  <td>
                    <NumberText value={p.line} />
                  </td>
                  <td dir="ltr">{p.column ? <code>{p.column}</code> : "—"}</td>
                  <td>{errorText(p.message)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {refused.moreProblems ? <p>{t("import.moreProblems", { count: refused.moreProblems })}</p> : null}
        </div>
      ) : null}

      {/* A plain document post, with or without JavaScript: the upload goes to this
          address, the one the server lets carry a file of several megabytes. */}
      <Form method="post" encType="multipart/form-data" reloadDocument id="import" className="stack">
        <div className={`field${refused ? " field--error" : ""}`}>
          <label htmlFor="import-file">{t("import.file")}</label>
          <p className="field-hint" id="import-file-hint">
            {t("import.fileHint", limits)}
          </p>
          <input
            id="import-file"
            type="file"
            name="file"
            accept=".csv,text/csv"
            required
            aria-describedby="import-file-hint"
            aria-invalid={refused ? true : undefined}
          />
        </div>
        <div className="field field--checkbox">
          <input type="checkbox" id="import-dry-run" name="dryRun" value="on" />
          <label htmlFor="import-dry-run">{t("import.dryRun")}</label>
        </div>
        <button type="submit" className="button">
          {t("import.submit")}
        </button>
      </Form>

      <section aria-labelledby="import-columns-title">
        <h2 id="import-columns-title">{t("import.columns.title")}</h2>
        <p>{t("import.columns.intro")}</p>
        <p>
          <a href="/moderation/import/template.csv" download>
            {t("import.template")}
          </a>
        </p>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("import.columns.name")}</th>
                <th scope="col">{t("import.columns.required")}</th>
                <th scope="col">{t("import.columns.rules")}</th>
              </tr>
            </thead>
            <tbody>
              {IMPORT_COLUMNS.map((column) => (
                <tr key={column}>
                  <th scope="row" dir="ltr">
                    <code>{column}</code>
                  </th>
                  <td>{REQUIRED_IMPORT_COLUMNS.has(column) ? t("form.yes") : t("form.no")}</td>
                  <td>
                    {t(`import.columnHelp.${column}`)}
                    {allowed[column] ? (
                      <ul className="list">
                        {allowed[column]!.map((v) => (
                          <li key={v.slug}>
                            <code dir="ltr">{v.slug}</code> ({v.name})
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
