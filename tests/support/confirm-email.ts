// The confirmation link of issue 15 (ADR 0026) as a test finds it: in an
// email's text (the outbox, the server log, an SMTP message), and the two
// steps a person takes with it over HTTP (the page, then its button).
import { expect } from "vitest";
import type { DB } from "../../db/client";
import type { Client } from "./http";

const CONFIRM_LINK = /\/confirm-email\/[a-z2-7]{32}/g;

/** The path of the last confirmation link in a text (quoted-printable soft line breaks undone), or null. */
export function confirmLinkIn(text: string): string | null {
  const links = text.replace(/=\r?\n/g, "").match(CONFIRM_LINK);
  return links ? links[links.length - 1] : null;
}

/** The path of the newest confirmation link emailed to `email` (the outbox table). */
export async function confirmLinkFor(db: DB, email: string): Promise<string> {
  const rows = await db.selectFrom("email_outbox").select("body").where("to_email", "=", email).orderBy("id", "desc").execute();
  for (const row of rows) {
    const link = confirmLinkIn(row.body);
    if (link) return link;
  }
  throw new Error(`no confirmation link emailed to ${email}`);
}

/** Confirms the address as a person does: opens the link, presses the button, lands on /me. */
export async function confirmOverHttp(client: Client, db: DB, email: string): Promise<void> {
  const link = await confirmLinkFor(db, email);
  expect((await client.get(link)).status).toBe(200);
  const res = await client.post(link, {});
  expect([res.status, res.location]).toEqual([303, "/me?emailConfirmed=1"]);
}
