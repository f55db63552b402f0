// Follow / unfollow a public suggestion or a final recommendation (issue 16): a
// plain form that posts and comes back to the page (works without JavaScript).
// A visitor gets the way to sign in.
import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

export function FollowForm({
  action,
  following,
  signedIn,
  loginPath,
  kind,
}: {
  /** /submissions/:id/follow or /recommendations/:id/follow */
  action: string;
  following: boolean;
  signedIn: boolean;
  loginPath: string;
  kind: "submission" | "recommendation";
}) {
  const { t } = useTranslation();
  const hint =
    kind === "submission"
      ? t(following ? "follow.following" : "follow.notFollowing")
      : t(following ? "follow.recommendationFollowing" : "follow.recommendationNotFollowing");
  return (
    <div id="follow" className="follow">
      <p className="hint">{hint}</p>
      {signedIn ? (
        <Form method="post" action={action}>
          <input type="hidden" name="intent" value={following ? "unfollow" : "follow"} />
          <button type="submit" className={following ? "button button--secondary" : "button"}>
            {t(following ? "follow.unfollow" : "follow.follow")}
          </button>
        </Form>
      ) : (
        <p>
          <Link to={loginPath}>{t("follow.signIn")}</Link>
        </p>
      )}
    </div>
  );
}
