import { getFormProps, useForm } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { ErrorSummary, RadioGroupField } from "~/components/form";
import { invalid, parseForm } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { NotificationSettingsSchema } from "~/lib/notification-schemas.server";
import { actionReply } from "~/lib/refusal";
import { EMAIL_FREQUENCIES, getNotificationSettings, setEmailFrequency } from "~/models/notification-settings.server";

// Email settings for notifications (issue 16, item 3; ADR 0028): the Contract's
// one field `email` = off | instant | daily | weekly. Never chosen, the default
// rule applies (at once for decisions on my own suggestions, weekly for the
// rest) and no button is checked. Account emails are not affected.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const settings = await getNotificationSettings(args.context.db, user.id);
  const { t } = await getFixedT(args.request, args.context);
  return { title: `${t("notificationSettings.title")} · ${t("app.name")}`, email: settings.email, choices: [...EMAIL_FREQUENCIES] };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const submission = await parseForm(args.request, NotificationSettingsSchema);
  if (submission.status !== "success") return invalid(submission);
  await setEmailFrequency(args.context.db, user.id, submission.value.email);
  return redirect("/me/notifications/settings?saved=1", 303);
}

export default function NotificationSettings() {
  const { email, choices } = useLoaderData<typeof loader>();
  const reply = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const { key: locationKey } = useLocation();
  return (
    <div className="narrow">
      <h1>{t("notificationSettings.title")}</h1>
      {params.get("saved") && !reply ? (
        <p className="notice" role="status">
          {t("notificationSettings.saved")}
        </p>
      ) : null}
      <p>{t("notificationSettings.intro")}</p>
      <p id="notification-settings-current">
        {email
          ? t("notificationSettings.current", { choice: t(`notificationSettings.options.${email}`) })
          : t("notificationSettings.defaultNote")}
      </p>
      {/* A new form (and form state) after every navigation: with JavaScript, the choice shown is the one saved. */}
      <SettingsForm key={locationKey} email={email} choices={choices} reply={reply} />
      <p>
        <Link to="/me/notifications">{t("notifications.title")}</Link>
      </p>
    </div>
  );
}

function SettingsForm({
  email,
  choices,
  reply,
}: {
  email: string | null;
  choices: readonly string[];
  reply: ReturnType<typeof actionReply>;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm<{ email: string }>({
    id: "notification-settings",
    lastResult: reply,
    defaultValue: email ? { email } : {},
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <ErrorSummary fields={[{ field: fields.email, label: t("notificationSettings.legend") }]} />
      <RadioGroupField
        field={fields.email}
        legend={t("notificationSettings.legend")}
        options={choices.map((v) => ({ value: v, label: t(`notificationSettings.options.${v}`) }))}
      />
      <p className="muted">{t("notificationSettings.accountNote")}</p>
      <button type="submit" className="button">
        {t("notificationSettings.save")}
      </button>
    </Form>
  );
}
